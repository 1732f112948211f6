package tests

import (
	"net/http"
	"net/url"
)

// biBoundaryCases are the holes issue 10 found at the decision and write
// boundary: null and wrong types read as absent, repeated keys, control
// characters and invalid UTF-8, and dot segments. Each failed before its fix.
func biBoundaryCases() []biCase {
	const post, put = http.MethodPost, http.MethodPut
	record := func(userID, uri string) string {
		return `{"status":"ACTIVE","users":[{"userId":` + userID + `}],"statements":[{"roles":["chat-reader"],"resources":[{"resourceUri":` + uri + `}]}]}`
	}
	return []biCase{
		// 1. null or a wrong type is never "absent".
		{name: "null user with an installation", method: post, path: "/v1/authorize", body: `{"user":null,"installation":"summarizer-acme","resource":"accounts/acme/chats/general","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"user"}},
		{name: "null installation with a user", method: post, path: "/v1/authorize", body: `{"user":"alice","installation":null,"resource":"accounts/acme/chats/general","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"installation"}},
		{name: "null resource and permission", method: post, path: "/v1/authorize", body: `{"user":"alice","resource":null,"permission":null}`, status: 422, code: "invalid_input", fields: []string{"permission", "resource"}},
		{name: "boolean user", method: post, path: "/v1/authorize", body: `{"user":true,"resource":"accounts/acme","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"user"}},
		{name: "batch null user", method: post, path: "/v1/authorize/batch", body: `{"checks":[` + biAllowed + `,{"user":null,"installation":"summarizer-acme","resource":"accounts/acme/chats/general","permission":"chats:read"}]}`, status: 422, code: "invalid_input", fields: []string{"checks[1].user"}},
		{name: "batch null check", method: post, path: "/v1/authorize/batch", body: `{"checks":[null]}`, status: 422, code: "invalid_input", fields: []string{"checks[0]"}},
		{name: "blank user", method: post, path: "/v1/authorize", body: biCheck(" ", "accounts/acme", "chats:read"), status: 422, code: "invalid_input", fields: []string{"user"}},
		{name: "record with null status", method: put, path: "/v1/records/nulls", body: `{"status":null,"users":[{"userId":"zed"}],"statements":[{"roles":["chat-reader"],"resources":[{"resourceUri":"accounts/acme"}]}]}`, status: 422, code: "invalid_input", fields: []string{"status"}},
		{name: "record with numeric user", method: put, path: "/v1/records/nums", body: record(`7`, `"accounts/acme"`), status: 422, code: "invalid_input", fields: []string{"users[0].userId"}},

		// 2. Repeated keys.
		{name: "duplicate user", method: post, path: "/v1/authorize", body: `{"user":"nobody","user":"alice","resource":"accounts/acme/chats/general","permission":"chats:read"}`, status: 400, code: "malformed_request"},
		{name: "duplicate key in a batch check", method: post, path: "/v1/authorize/batch", body: `{"checks":[{"user":"nobody","resource":"accounts/acme/chats/general","permission":"chats:read","user":"alice"}]}`, status: 400, code: "malformed_request"},
		{name: "duplicate checks", method: post, path: "/v1/authorize/batch", body: `{"checks":[],"checks":[` + biAllowed + `]}`, status: 400, code: "malformed_request"},
		{name: "duplicate key in Data API input", method: post, path: "/v1/data/gatehouse/authz/allow", body: `{"input":{"user":"nobody","user":"alice","resource":"accounts/acme/chats/general","permission":"chats:read"}}`, status: 400, code: "malformed_request"},
		{name: "duplicate key in GET input", method: http.MethodGet, path: "/v1/data/gatehouse/authz/allow?input=" + url.QueryEscape(`{"user":"nobody","user":"alice","resource":"accounts/acme/chats/general","permission":"chats:read"}`), status: 400, code: "malformed_request"},
		{name: "duplicate key in a document", method: put, path: "/v1/tenants/dup", body: `{"name":"a","name":"b"}`, status: 400, code: "malformed_request"},
		{name: "key in other case", method: post, path: "/v1/authorize", body: `{"User":"alice","resource":"accounts/acme/chats/general","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"User"}},

		// 3. Control characters and invalid UTF-8.
		{name: "NUL in user", method: post, path: "/v1/authorize", body: `{"user":"alice\u0000","resource":"accounts/acme/chats/general","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"user"}},
		{name: "NUL in resource", method: post, path: "/v1/authorize", body: `{"user":"alice","resource":"acct\u0000read","permission":"x"}`, status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "NUL in permission", method: post, path: "/v1/authorize", body: `{"user":"alice","resource":"acct","permission":"read\u0000x"}`, status: 422, code: "invalid_input", fields: []string{"permission"}},
		{name: "C1 control in installation", method: post, path: "/v1/authorize", body: `{"installation":"summarizer-acme\u0085","resource":"accounts/acme","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"installation"}},
		{name: "newline in user", method: post, path: "/v1/authorize", body: biCheck("alice\nbob", "accounts/acme", "chats:read"), status: 422, code: "invalid_input", fields: []string{"user"}},
		{name: "invalid UTF-8", method: post, path: "/v1/authorize", body: []byte("{\"user\":\"al\xffice\",\"resource\":\"accounts/acme\",\"permission\":\"chats:read\"}"), status: 400, code: "malformed_request"},
		{name: "control character in a record's user", method: put, path: "/v1/records/ctl", body: record(`"zed\u0000"`, `"accounts/acme"`), status: 422, code: "invalid_input", fields: []string{"users[0].userId"}},
		{name: "control character in a record's URI", method: put, path: "/v1/records/ctl", body: record(`"zed"`, `"accounts/acme\u001b"`), status: 422, code: "invalid_input", fields: []string{"statements[0].resources[0].resourceUri"}},
		{name: "control character in a group's user", method: put, path: "/v1/groups/ctl", body: `{"name":"g","users":[{"userId":"a\tb"}]}`, status: 422, code: "invalid_input", fields: []string{"users[0].userId"}},
		{name: "control character in an id", method: put, path: "/v1/tenants/" + url.PathEscape("t\x01"), body: `{"name":"t"}`, status: 422, code: "invalid_input", fields: []string{"_id"}},
		{name: "control character in a role's action", method: put, path: "/v1/roles/ctl", body: `{"name":"r","permissions":[{"action":"read\u0000x"}]}`, status: 422, code: "invalid_input", fields: []string{"permissions[0].action"}},

		{name: "control character in a lookup's user", method: http.MethodGet, path: "/v1/users/" + url.PathEscape("al\x00ice") + "/resources?permission=chats:read", status: 422, code: "invalid_input", fields: []string{"user"}},
		{name: "control character in a lookup's URI", method: http.MethodGet, path: "/v1/users/alice/resources/" + url.PathEscape("accounts/acme\x00") + "/permissions", status: 422, code: "invalid_input", fields: []string{"resource"}},

		// 12. Dot segments.
		{name: "dot-dot segment", method: post, path: "/v1/authorize", body: biCheck("alice", "accounts/acme/../other", "chats:read"), status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "dot segment", method: post, path: "/v1/authorize", body: biCheck("alice", "accounts/./acme", "chats:read"), status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "dot-dot in a record's URI", method: put, path: "/v1/records/dots", body: record(`"zed"`, `"accounts/acme/.."`), status: 422, code: "invalid_input", fields: []string{"statements[0].resources[0].resourceUri"}},
		{name: "dot-dot in a membership context", method: put, path: "/v1/memberships/dots", body: `{"userId":"zed","context":"customers/../acme","roles":["chat-reader"]}`, status: 422, code: "invalid_input", fields: []string{"context"}},
		{name: "dot-dot in a lookup's URI", method: http.MethodGet, path: "/v1/users/alice/resources/" + url.PathEscape("accounts/acme/../x") + "/permissions/chats:read", status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "dots inside a segment", method: post, path: "/v1/authorize", body: biCheck("alice", "accounts/acme/chats/..general", "chats:read"), status: 200},
	}
}
