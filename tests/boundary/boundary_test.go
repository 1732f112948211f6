package boundary

import (
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/tests/testkit"
)

// boundaryCases are the holes issue 10 found at the decision and write
// boundary: null and wrong types read as absent, repeated keys, control
// characters and invalid UTF-8, and dot segments. Each failed before its fix.
func boundaryCases() []testkit.Case {
	const post, put = http.MethodPost, http.MethodPut
	record := func(userID, uri string) string {
		return `{"status":"ACTIVE","users":[{"userId":` + userID + `}],"statements":[{"roles":["chat-reader"],"resources":[{"resourceUri":` + uri + `}]}]}`
	}
	return []testkit.Case{
		// 1. null or a wrong type is never "absent".
		{Name: "null user with an installation", Method: post, Path: "/v1/authorize", Body: `{"user":null,"installation":"summarizer-acme","resource":"accounts/acme/chats/general","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"user"}},
		{Name: "null installation with a user", Method: post, Path: "/v1/authorize", Body: `{"user":"alice","installation":null,"resource":"accounts/acme/chats/general","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"installation"}},
		{Name: "null resource and permission", Method: post, Path: "/v1/authorize", Body: `{"user":"alice","resource":null,"permission":null}`, Status: 422, Code: "invalid_input", Fields: []string{"permission", "resource"}},
		{Name: "boolean user", Method: post, Path: "/v1/authorize", Body: `{"user":true,"resource":"accounts/acme","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"user"}},
		{Name: "batch null user", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[` + allowedCheck + `,{"user":null,"installation":"summarizer-acme","resource":"accounts/acme/chats/general","permission":"chats:read"}]}`, Status: 422, Code: "invalid_input", Fields: []string{"checks[1].user"}},
		{Name: "batch null check", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[null]}`, Status: 422, Code: "invalid_input", Fields: []string{"checks[0]"}},
		{Name: "blank user", Method: post, Path: "/v1/authorize", Body: check(" ", "accounts/acme", "chats:read"), Status: 422, Code: "invalid_input", Fields: []string{"user"}},
		{Name: "record with null status", Method: put, Path: "/v1/records/nulls", Body: `{"status":null,"users":[{"userId":"zed"}],"statements":[{"roles":["chat-reader"],"resources":[{"resourceUri":"accounts/acme"}]}]}`, Status: 422, Code: "invalid_input", Fields: []string{"status"}},
		{Name: "record with numeric user", Method: put, Path: "/v1/records/nums", Body: record(`7`, `"accounts/acme"`), Status: 422, Code: "invalid_input", Fields: []string{"users[0].userId"}},

		// 2. Repeated keys.
		{Name: "duplicate user", Method: post, Path: "/v1/authorize", Body: `{"user":"nobody","user":"alice","resource":"accounts/acme/chats/general","permission":"chats:read"}`, Status: 400, Code: "malformed_request"},
		{Name: "duplicate key in a batch check", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[{"user":"nobody","resource":"accounts/acme/chats/general","permission":"chats:read","user":"alice"}]}`, Status: 400, Code: "malformed_request"},
		{Name: "duplicate checks", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[],"checks":[` + allowedCheck + `]}`, Status: 400, Code: "malformed_request"},
		{Name: "duplicate key in Data API input", Method: post, Path: "/v1/data/gatehouse/authz/allow", Body: `{"input":{"user":"nobody","user":"alice","resource":"accounts/acme/chats/general","permission":"chats:read"}}`, Status: 400, Code: "malformed_request"},
		{Name: "duplicate key in GET input", Method: http.MethodGet, Path: "/v1/data/gatehouse/authz/allow?input=" + url.QueryEscape(`{"user":"nobody","user":"alice","resource":"accounts/acme/chats/general","permission":"chats:read"}`), Status: 400, Code: "malformed_request"},
		{Name: "duplicate key in a document", Method: put, Path: "/v1/tenants/dup", Body: `{"name":"a","name":"b"}`, Status: 400, Code: "malformed_request"},
		{Name: "key in other case", Method: post, Path: "/v1/authorize", Body: `{"User":"alice","resource":"accounts/acme/chats/general","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"User"}},

		// 3. Control characters and invalid UTF-8.
		{Name: "NUL in user", Method: post, Path: "/v1/authorize", Body: `{"user":"alice\u0000","resource":"accounts/acme/chats/general","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"user"}},
		{Name: "NUL in resource", Method: post, Path: "/v1/authorize", Body: `{"user":"alice","resource":"acct\u0000read","permission":"x"}`, Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "NUL in permission", Method: post, Path: "/v1/authorize", Body: `{"user":"alice","resource":"acct","permission":"read\u0000x"}`, Status: 422, Code: "invalid_input", Fields: []string{"permission"}},
		{Name: "C1 control in installation", Method: post, Path: "/v1/authorize", Body: `{"installation":"summarizer-acme\u0085","resource":"accounts/acme","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"installation"}},
		{Name: "newline in user", Method: post, Path: "/v1/authorize", Body: check("alice\nbob", "accounts/acme", "chats:read"), Status: 422, Code: "invalid_input", Fields: []string{"user"}},
		{Name: "invalid UTF-8", Method: post, Path: "/v1/authorize", Body: []byte("{\"user\":\"al\xffice\",\"resource\":\"accounts/acme\",\"permission\":\"chats:read\"}"), Status: 400, Code: "malformed_request"},
		{Name: "control character in a record's user", Method: put, Path: "/v1/records/ctl", Body: record(`"zed\u0000"`, `"accounts/acme"`), Status: 422, Code: "invalid_input", Fields: []string{"users[0].userId"}},
		{Name: "control character in a record's URI", Method: put, Path: "/v1/records/ctl", Body: record(`"zed"`, `"accounts/acme\u001b"`), Status: 422, Code: "invalid_input", Fields: []string{"statements[0].resources[0].resourceUri"}},
		{Name: "control character in a group's user", Method: put, Path: "/v1/groups/ctl", Body: `{"name":"g","users":[{"userId":"a\tb"}]}`, Status: 422, Code: "invalid_input", Fields: []string{"users[0].userId"}},
		{Name: "control character in an id", Method: put, Path: "/v1/tenants/" + url.PathEscape("t\x01"), Body: `{"name":"t"}`, Status: 422, Code: "invalid_input", Fields: []string{"_id"}},
		{Name: "control character in a role's action", Method: put, Path: "/v1/roles/ctl", Body: `{"name":"r","permissions":[{"action":"read\u0000x"}]}`, Status: 422, Code: "invalid_input", Fields: []string{"permissions[0].action"}},

		{Name: "control character in a lookup's user", Method: http.MethodGet, Path: "/v1/users/" + url.PathEscape("al\x00ice") + "/resources?permission=chats:read", Status: 422, Code: "invalid_input", Fields: []string{"user"}},
		{Name: "control character in a lookup's URI", Method: http.MethodGet, Path: "/v1/users/alice/resources/" + url.PathEscape("accounts/acme\x00") + "/permissions", Status: 422, Code: "invalid_input", Fields: []string{"resource"}},

		// 12. Dot segments.
		{Name: "dot-dot segment", Method: post, Path: "/v1/authorize", Body: check("alice", "accounts/acme/../other", "chats:read"), Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "dot segment", Method: post, Path: "/v1/authorize", Body: check("alice", "accounts/./acme", "chats:read"), Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "dot-dot in a record's URI", Method: put, Path: "/v1/records/dots", Body: record(`"zed"`, `"accounts/acme/.."`), Status: 422, Code: "invalid_input", Fields: []string{"statements[0].resources[0].resourceUri"}},
		{Name: "dot-dot in a membership context", Method: put, Path: "/v1/memberships/dots", Body: `{"userId":"zed","context":"customers/../acme","roles":["chat-reader"]}`, Status: 422, Code: "invalid_input", Fields: []string{"context"}},
		{Name: "dot-dot in a lookup's URI", Method: http.MethodGet, Path: "/v1/users/alice/resources/" + url.PathEscape("accounts/acme/../x") + "/permissions/chats:read", Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "dots inside a segment", Method: post, Path: "/v1/authorize", Body: check("alice", "accounts/acme/chats/..general", "chats:read"), Status: 200},
	}
}
