package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
)

// oboUserHeader names the user a write is made on behalf of (SPEC section 5).
const oboUserHeader = "X-Gatehouse-User"

// oboSnapshot is the data the on-behalf-of tests start from:
//   - alice holds grant on read:* (not delegate), write:projects without
//     grant, and extensions:install, all on accounts/A;
//   - dave holds read:* with grant and delegate on accounts/A;
//   - erin holds read:projects on accounts/A, but not extensions:install;
//   - group ops receives editor (write:projects) on accounts/A, group readers
//     receives viewer on accounts/A/projects; both start empty;
//   - installation i-A of ext1 at accounts/A has consent to read:projects.
//
// Everyone else (rex, mallory, bob, gina, hal, ivy, jay, vis) starts with nothing.
func oboSnapshot() *model.Snapshot {
	users := func(ids ...string) []model.UserRef {
		out := make([]model.UserRef, len(ids))
		for i, id := range ids {
			out[i] = model.UserRef{UserID: id}
		}
		return out
	}
	give := func(role, uri string) []model.Statement {
		return []model.Statement{{Roles: []string{role}, Resources: []model.ResourceRef{{ResourceURI: uri}}}}
	}
	record := func(id string, us []model.UserRef, gs []model.GroupRef, sts []model.Statement) model.Record {
		return model.Record{Meta: model.Meta{ID: id}, Name: id, Status: model.StatusActive, Users: us, Groups: gs, Statements: sts}
	}
	return &model.Snapshot{
		Roles: []model.Role{
			{Meta: model.Meta{ID: "viewer"}, Permissions: []model.Permission{{Action: "read:projects"}}},
			{Meta: model.Meta{ID: "editor"}, Permissions: []model.Permission{{Action: "write:projects"}}},
			{Meta: model.Meta{ID: "lead"}, Permissions: []model.Permission{{Action: "read:projects", Grant: true}}},
			{Meta: model.Meta{ID: "deleg-only"}, Permissions: []model.Permission{{Action: "read:projects", Delegate: true}}},
			{Meta: model.Meta{ID: "manager"}, Permissions: []model.Permission{
				{Action: "read:*", Grant: true}, {Action: "write:projects"}, {Action: "extensions:install"},
			}},
			{Meta: model.Meta{ID: "delegator"}, Permissions: []model.Permission{{Action: "read:*", Grant: true, Delegate: true}}},
		},
		Records: []model.Record{
			record("r-alice", users("alice"), nil, give("manager", "accounts/A")),
			record("r-dave", users("dave"), nil, give("delegator", "accounts/A")),
			record("r-erin", users("erin"), nil, give("viewer", "accounts/A")),
			record("r-ops", nil, []model.GroupRef{{GroupID: "ops"}}, give("editor", "accounts/A")),
			record("r-readers", nil, []model.GroupRef{{GroupID: "readers"}}, give("viewer", "accounts/A/projects")),
		},
		Groups: []model.Group{
			{Meta: model.Meta{ID: "ops"}, Name: "Ops", Users: []model.UserRef{}},
			{Meta: model.Meta{ID: "readers"}, Name: "Readers", Users: []model.UserRef{}},
		},
		Extensions: []model.Extension{
			{Meta: model.Meta{ID: "ext1"}, Name: "Ext 1", Permissions: []string{"read:projects", "delete:projects"}},
		},
		Installations: []model.Installation{{
			Meta: model.Meta{ID: "i-A"}, ExtensionID: "ext1", Context: "accounts/A",
			ConsentedPermissions: []string{"read:projects"}, InstalledBy: "alice", Status: model.StatusActive,
		}},
		Tenants: []model.Tenant{{Meta: model.Meta{ID: "t1"}, Name: "Tenant 1"}},
	}
}

// Request bodies.

func oboMembership(user, context string, roles ...string) map[string]any {
	return map[string]any{"userId": user, "context": context, "roles": roles}
}

func oboStatement(role string, uris ...string) map[string]any {
	res := make([]map[string]string, len(uris))
	for i, u := range uris {
		res[i] = map[string]string{"resourceUri": u}
	}
	return map[string]any{"roles": []string{role}, "resources": res}
}

func oboRecord(user string, statements ...map[string]any) map[string]any {
	return map[string]any{
		"name": "on behalf", "status": "ACTIVE",
		"users": []map[string]string{{"userId": user}}, "statements": statements,
	}
}

func oboGroupRecord(group string, statements ...map[string]any) map[string]any {
	return map[string]any{
		"name": "on behalf", "status": "ACTIVE",
		"groups": []map[string]string{{"groupId": group}}, "statements": statements,
	}
}

func oboGroup(name string, members ...string) map[string]any {
	us := make([]map[string]string, len(members))
	for i, m := range members {
		us[i] = map[string]string{"userId": m}
	}
	return map[string]any{"name": name, "users": us}
}

func oboInstallation(by, context string, consented ...string) map[string]any {
	return map[string]any{
		"extensionId": "ext1", "context": context, "consentedPermissions": consented,
		"installedBy": by, "status": "ACTIVE",
	}
}

// oboDo sends a request as user (no header when user is empty) with extra
// headers, and returns the status and body.
func oboDo(t *testing.T, g *gate, method, path, user string, body any, headers ...string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, g.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set(oboUserHeader, user)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// oboCheck is one decision question; Installation alone asks as the extension.
type oboCheck struct {
	User         string `json:"user,omitempty"`
	Installation string `json:"installation,omitempty"`
	Resource     string `json:"resource"`
	Permission   string `json:"permission"`
}

type oboReason struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

type oboDecision struct {
	Allowed  bool        `json:"allowed"`
	Reasons  []oboReason `json:"reasons"`
	DeniedBy *string     `json:"denied_by"`
}

func oboDecide(t *testing.T, g *gate, c oboCheck) oboDecision {
	t.Helper()
	code, raw := oboDo(t, g, http.MethodPost, "/v1/authorize", "", c)
	if code != http.StatusOK {
		t.Fatalf("authorize %+v: status %d; body %s", c, code, raw)
	}
	var d oboDecision
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("authorize %+v: decode %s: %v", c, raw, err)
	}
	return d
}

// oboExpectDecisions checks that each check is allowed (or not) right now.
func oboExpectDecisions(t *testing.T, g *gate, when string, allowed bool, checks ...oboCheck) {
	t.Helper()
	for _, c := range checks {
		if got := oboDecide(t, g, c).Allowed; got != allowed {
			t.Errorf("%s: %+v allowed = %v, want %v", when, c, got, allowed)
		}
	}
}

// oboMissing is one thing the error body must say the user lacks.
type oboMissing struct {
	Role, Action, Resource, Needs string
}

type oboErrorBody struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Errors  []model.Problem `json:"errors"`
}

// oboExpectForbidden checks a 403 forbidden body with one problem per want
// item, each naming its role (if any), action, resource and needed flag.
func oboExpectForbidden(t *testing.T, code int, raw []byte, want []oboMissing) {
	t.Helper()
	if code != http.StatusForbidden {
		t.Fatalf("status %d, want 403; body %s", code, raw)
	}
	var body oboErrorBody
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if body.Code != "forbidden" || body.Message == "" {
		t.Errorf("code %q message %q, want code forbidden and a message", body.Code, body.Message)
	}
	if len(body.Errors) != len(want) {
		t.Errorf("%d errors, want %d: %s", len(body.Errors), len(want), raw)
	}
	for _, w := range want {
		found := false
		for _, p := range body.Errors {
			text := p.Field + " " + p.Message
			if oboMentions(text, w.Action) && oboMentions(text, w.Resource) && oboMentions(text, w.Needs) &&
				(w.Role == "" || oboMentions(text, w.Role)) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error says %+v is missing: %s", w, raw)
		}
	}
}

// oboMentions reports whether word is one of the words of text, quotes
// and trailing punctuation aside: not part of a longer action or resource.
func oboMentions(text, word string) bool {
	for _, f := range strings.Fields(text) {
		if strings.TrimRight(strings.Trim(f, `"'`), `:,.;"'`) == word {
			return true
		}
	}
	return false
}

// oboState is what a GET of a document returns: its status and version.
type oboState struct {
	Status  int
	Version int64
}

func oboGet(t *testing.T, g *gate, path string) oboState {
	t.Helper()
	code, raw := oboDo(t, g, http.MethodGet, path, "", nil)
	s := oboState{Status: code}
	if code == http.StatusOK {
		var meta struct {
			Version int64 `json:"version"`
		}
		if err := json.Unmarshal(raw, &meta); err != nil {
			t.Fatalf("GET %s: decode %s: %v", path, raw, err)
		}
		s.Version = meta.Version
	}
	return s
}

// oboRefusal is a write that must be refused on behalf of User.
type oboRefusal struct {
	name   string
	user   string
	method string
	path   string
	body   any
	want   []oboMissing
	// denied are decisions that are denied before and must stay denied.
	denied []oboCheck
	// allowed are decisions that are allowed before and must stay allowed.
	allowed []oboCheck
}

// TestOnBehalf checks SPEC section 5's on-behalf-of writes end to end
// against one server: every escalation is refused and changes nothing,
// and the allowed counterparts are visible to decisions at once.
func TestOnBehalf(t *testing.T) {
	g := startGate(t, oboSnapshot())
	t.Run("refused", func(t *testing.T) { oboTestRefused(t, g) })
	t.Run("not on behalf", func(t *testing.T) { oboTestNotOnBehalf(t, g) })
	t.Run("allowed", func(t *testing.T) { oboTestAllowed(t, g) })
	t.Run("grant chain", func(t *testing.T) { oboTestGrantChain(t, g) })
	t.Run("without header", func(t *testing.T) { oboTestWithoutHeader(t, g) })
	t.Run("delegate without grant", func(t *testing.T) { oboTestDelegateOnly(t, g) })
	t.Run("installation resources", func(t *testing.T) { oboTestInstallationResources(t, g) })
	t.Run("writes stay visible", func(t *testing.T) { oboTestWritesStayVisible(t, g) })
	t.Run("revoked and given again elsewhere", func(t *testing.T) { oboTestRevokedElsewhere(t, g) })
}

func oboTestRefused(t *testing.T, g *gate) {
	for _, tc := range oboRefusals() {
		t.Run(tc.name, func(t *testing.T) {
			oboExpectDecisions(t, g, "before", false, tc.denied...)
			oboExpectDecisions(t, g, "before", true, tc.allowed...)
			before := oboGet(t, g, tc.path)

			code, raw := oboDo(t, g, tc.method, tc.path, tc.user, tc.body)
			oboExpectForbidden(t, code, raw, tc.want)

			if after := oboGet(t, g, tc.path); after != before {
				t.Errorf("GET %s after the refused write: %+v, want %+v", tc.path, after, before)
			}
			oboExpectDecisions(t, g, "after", false, tc.denied...)
			oboExpectDecisions(t, g, "after", true, tc.allowed...)
		})
	}
}

func oboRefusals() []oboRefusal {
	rexReads := func(uri string) oboCheck { return oboCheck{User: "rex", Resource: uri, Permission: "read:projects"} }
	return []oboRefusal{
		{
			name: "membership with a role whose permission the user cannot grant",
			user: "alice", method: http.MethodPut, path: "/v1/memberships/m-rex-editor",
			body:   oboMembership("rex", "accounts/A", "editor"),
			want:   []oboMissing{{"editor", "write:projects", "accounts/A", "grant"}},
			denied: []oboCheck{{User: "rex", Resource: "accounts/A/p1", Permission: "write:projects"}},
		},
		{
			name: "record on a resource outside the user's reach",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-rex-B",
			body:   oboRecord("rex", oboStatement("viewer", "accounts/B")),
			want:   []oboMissing{{"viewer", "read:projects", "accounts/B", "grant"}},
			denied: []oboCheck{rexReads("accounts/B")},
		},
		{
			name: "record on a resource above the user's grant",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-rex-all",
			body:   oboRecord("rex", oboStatement("viewer", "accounts")),
			want:   []oboMissing{{"viewer", "read:projects", "accounts", "grant"}},
			denied: []oboCheck{rexReads("accounts/C")},
		},
		{
			name: "record whose * segment reaches other accounts",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-rex-star",
			body:   oboRecord("rex", oboStatement("viewer", "accounts/*/projects")),
			want:   []oboMissing{{"viewer", "read:projects", "accounts/*/projects", "grant"}},
			denied: []oboCheck{rexReads("accounts/C/projects/p1")},
		},
		{
			name: "role whose permission carries grant, without delegate",
			user: "alice", method: http.MethodPut, path: "/v1/memberships/m-rex-lead",
			body:   oboMembership("rex", "accounts/A", "lead"),
			want:   []oboMissing{{"lead", "read:projects", "accounts/A", "delegate"}},
			denied: []oboCheck{rexReads("accounts/A")},
		},
		{
			name: "every missing item of every statement is listed",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-rex-many",
			body: oboRecord("rex",
				oboStatement("viewer", "accounts/A/x", "accounts/B"),
				oboStatement("editor", "accounts/A/y"),
			),
			want: []oboMissing{
				{"viewer", "read:projects", "accounts/B", "grant"},
				{"editor", "write:projects", "accounts/A/y", "grant"},
			},
			denied: []oboCheck{rexReads("accounts/A/x"), rexReads("accounts/B")},
		},
		{
			name: "user holding nothing",
			user: "mallory", method: http.MethodPut, path: "/v1/memberships/m-mallory",
			body:   oboMembership("mallory", "accounts/A", "viewer"),
			want:   []oboMissing{{"viewer", "read:projects", "accounts/A", "grant"}},
			denied: []oboCheck{{User: "mallory", Resource: "accounts/A", Permission: "read:projects"}},
		},
		{
			name: "changing a record to give more",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-readers",
			body: oboGroupRecord("readers", oboStatement("viewer", "accounts/A/projects"), oboStatement("editor", "accounts/A/projects")),
			want: []oboMissing{{"editor", "write:projects", "accounts/A/projects", "grant"}},
		},
		{
			name: "replacing a record that gives what the user cannot grant",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-ops",
			body: oboGroupRecord("ops", oboStatement("viewer", "accounts/A")),
			want: []oboMissing{{"editor", "write:projects", "accounts/A", "grant"}},
		},
		{
			name: "taking over a record that gives what the user cannot grant",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-dave",
			body:    oboRecord("dave", oboStatement("viewer", "accounts/A")),
			want:    []oboMissing{{"delegator", "read:*", "accounts/A", "delegate"}},
			allowed: []oboCheck{{User: "dave", Resource: "accounts/A", Permission: "read:other"}},
		},
		{
			name: "adding a member to a group holding a role the user cannot grant",
			user: "alice", method: http.MethodPut, path: "/v1/groups/ops",
			body:   oboGroup("Ops", "rex"),
			want:   []oboMissing{{"editor", "write:projects", "accounts/A", "grant"}},
			denied: []oboCheck{{User: "rex", Resource: "accounts/A", Permission: "write:projects"}},
		},
		{
			name: "deleting a record that gives what the user cannot grant",
			user: "alice", method: http.MethodDelete, path: "/v1/records/r-dave",
			want:    []oboMissing{{"delegator", "read:*", "accounts/A", "delegate"}},
			allowed: []oboCheck{{User: "dave", Resource: "accounts/A", Permission: "read:projects"}},
		},
		{
			name: "installing without extensions:install",
			user: "erin", method: http.MethodPut, path: "/v1/installations/i-erin",
			body:   oboInstallation("erin", "accounts/A", "read:projects"),
			want:   []oboMissing{{"", "extensions:install", "accounts/A", "allow"}},
			denied: []oboCheck{{Installation: "i-erin", Resource: "accounts/A", Permission: "read:projects"}},
		},
		{
			name: "consenting to more than the installer holds",
			user: "alice", method: http.MethodPut, path: "/v1/installations/i-greedy",
			body: oboInstallation("alice", "accounts/A", "read:projects", "delete:projects"),
			want: []oboMissing{{"", "delete:projects", "accounts/A", "allow"}},
			denied: []oboCheck{
				{Installation: "i-greedy", Resource: "accounts/A", Permission: "read:projects"},
				{Installation: "i-greedy", Resource: "accounts/A", Permission: "delete:projects"},
			},
		},
		{
			name: "widening an installation's consent",
			user: "alice", method: http.MethodPut, path: "/v1/installations/i-A",
			body:    oboInstallation("alice", "accounts/A", "read:projects", "delete:projects"),
			want:    []oboMissing{{"", "delete:projects", "accounts/A", "allow"}},
			denied:  []oboCheck{{Installation: "i-A", Resource: "accounts/A", Permission: "delete:projects"}},
			allowed: []oboCheck{{Installation: "i-A", Resource: "accounts/A", Permission: "read:projects"}},
		},
		{
			name: "installing outside the user's reach",
			user: "alice", method: http.MethodPut, path: "/v1/installations/i-B",
			body: oboInstallation("alice", "accounts/B", "read:projects"),
			want: []oboMissing{
				{"", "extensions:install", "accounts/B", "allow"},
				{"", "read:projects", "accounts/B", "allow"},
			},
			denied: []oboCheck{{Installation: "i-B", Resource: "accounts/B", Permission: "read:projects"}},
		},
		{
			name: "uninstalling without extensions:install",
			user: "erin", method: http.MethodDelete, path: "/v1/installations/i-A",
			want:    []oboMissing{{"", "extensions:install", "accounts/A", "allow"}},
			allowed: []oboCheck{{Installation: "i-A", Resource: "accounts/A", Permission: "read:projects"}},
		},
	}
}

// oboTestNotOnBehalf checks that roles, extensions, tenants and policies
// cannot be changed on behalf of a user at all, not even by one who holds
// every permission there is.
func oboTestNotOnBehalf(t *testing.T, g *gate) {
	grow := map[string]any{"name": "viewer", "permissions": []map[string]any{{"action": "*", "grant": true, "delegate": true}}}
	tests := []struct {
		name, method, path string
		body               any
		allowed            []oboCheck
		denied             []oboCheck
	}{
		{"change a role", http.MethodPut, "/v1/roles/viewer", grow,
			[]oboCheck{{User: "erin", Resource: "accounts/A", Permission: "read:projects"}},
			[]oboCheck{{User: "erin", Resource: "accounts/A", Permission: "write:projects"}}},
		{"create a role", http.MethodPut, "/v1/roles/root", grow, nil, nil},
		{"delete a role", http.MethodDelete, "/v1/roles/viewer", nil,
			[]oboCheck{{User: "erin", Resource: "accounts/A", Permission: "read:projects"}}, nil},
		{"change an extension", http.MethodPut, "/v1/extensions/ext1",
			map[string]any{"name": "Ext 1", "permissions": []string{"*"}},
			[]oboCheck{{Installation: "i-A", Resource: "accounts/A", Permission: "read:projects"}}, nil},
		{"delete an extension", http.MethodDelete, "/v1/extensions/ext1", nil,
			[]oboCheck{{Installation: "i-A", Resource: "accounts/A", Permission: "read:projects"}}, nil},
		{"change a tenant", http.MethodPut, "/v1/tenants/t1", map[string]any{"name": "Renamed"}, nil, nil},
		{"create a tenant", http.MethodPut, "/v1/tenants/t2", map[string]any{"name": "Tenant 2"}, nil, nil},
		{"delete a tenant", http.MethodDelete, "/v1/tenants/t1", nil, nil, nil},
		{"create a policy", http.MethodPut, "/v1/policies/p1",
			map[string]any{"source": "package custom.obo\n\nallow := true\n"}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := oboGet(t, g, tc.path)
			// dave holds everything alice does and more; it must not matter.
			for _, user := range []string{"alice", "dave"} {
				code, raw := oboDo(t, g, tc.method, tc.path, user, tc.body)
				oboExpectForbidden(t, code, raw, nil)
			}
			if after := oboGet(t, g, tc.path); after != before {
				t.Errorf("GET %s after the refused write: %+v, want %+v", tc.path, after, before)
			}
			oboExpectDecisions(t, g, "after", true, tc.allowed...)
			oboExpectDecisions(t, g, "after", false, tc.denied...)
		})
	}
}

// oboWrite makes a write on behalf of user and checks its status (any 2xx
// when wantStatus is 0) and the version it returns (unless 0).
func oboWrite(t *testing.T, g *gate, method, path, user string, body any, wantStatus int, wantVersion int64, headers ...string) {
	t.Helper()
	code, raw := oboDo(t, g, method, path, user, body, headers...)
	if code != wantStatus && (wantStatus != 0 || code >= 300) {
		t.Fatalf("%s %s as %s: status %d, want %d; body %s", method, path, user, code, wantStatus, raw)
	}
	if wantVersion == 0 {
		return
	}
	var meta struct {
		Version int64 `json:"version"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if meta.Version != wantVersion {
		t.Errorf("%s %s: version %d, want %d", method, path, meta.Version, wantVersion)
	}
}

// oboExpectReason checks that c is allowed at once, through the document kind/id.
func oboExpectReason(t *testing.T, g *gate, c oboCheck, kind, id string) {
	t.Helper()
	d := oboDecide(t, g, c)
	if !d.Allowed {
		t.Fatalf("%+v denied right after the write (denied_by %v)", c, d.DeniedBy)
	}
	if diff := gocmp.Diff([]oboReason{{Kind: kind, ID: id}}, d.Reasons); diff != "" {
		t.Errorf("%+v reasons (-want +got):\n%s", c, diff)
	}
}

func oboTestAllowed(t *testing.T, g *gate) {
	bobReads := func(uri string) oboCheck { return oboCheck{User: "bob", Resource: uri, Permission: "read:projects"} }
	t.Run("membership with a role the user can grant", func(t *testing.T) {
		oboExpectDecisions(t, g, "before", false, bobReads("accounts/A/projects/p1"))
		oboWrite(t, g, http.MethodPut, "/v1/memberships/m-bob", "alice",
			oboMembership("bob", "accounts/A/projects/p1", "viewer"), http.StatusCreated, 1)
		oboExpectReason(t, g, bobReads("accounts/A/projects/p1/tasks"), "membership", "m-bob")
	})
	t.Run("changing that membership", func(t *testing.T) {
		oboWrite(t, g, http.MethodPut, "/v1/memberships/m-bob", "alice",
			oboMembership("bob", "accounts/A/projects/p2", "viewer"), http.StatusOK, 2, "If-Match", `"1"`)
		oboExpectReason(t, g, bobReads("accounts/A/projects/p2"), "membership", "m-bob")
		oboExpectDecisions(t, g, "after the move", false, bobReads("accounts/A/projects/p1"))
	})
	t.Run("record below the user's grant", func(t *testing.T) {
		oboExpectDecisions(t, g, "before", false, bobReads("accounts/A/chats/1"))
		oboWrite(t, g, http.MethodPut, "/v1/records/r-bob-chats", "alice",
			oboRecord("bob", oboStatement("viewer", "accounts/A/chats")), http.StatusCreated, 1)
		oboExpectReason(t, g, bobReads("accounts/A/chats/1"), "record", "r-bob-chats")
	})
	t.Run("deleting that record", func(t *testing.T) {
		oboWrite(t, g, http.MethodDelete, "/v1/records/r-bob-chats", "alice", nil, http.StatusNoContent, 0)
		oboExpectDecisions(t, g, "after the delete", false, bobReads("accounts/A/chats/1"))
		if s := oboGet(t, g, "/v1/records/r-bob-chats"); s.Status != http.StatusNotFound {
			t.Errorf("GET after delete: %+v, want 404", s)
		}
	})
	t.Run("adding a member to a group whose roles the user can grant", func(t *testing.T) {
		oboExpectDecisions(t, g, "before", false, bobReads("accounts/A/projects/p9"))
		oboWrite(t, g, http.MethodPut, "/v1/groups/readers", "alice", oboGroup("Readers", "bob"), http.StatusOK, 2)
		oboExpectReason(t, g, bobReads("accounts/A/projects/p9"), "record", "r-readers")
	})
	t.Run("installing with consent the installer holds", func(t *testing.T) {
		ext := oboCheck{Installation: "i-ok", Resource: "accounts/A/projects/p1", Permission: "read:projects"}
		oboExpectDecisions(t, g, "before", false, ext)
		oboWrite(t, g, http.MethodPut, "/v1/installations/i-ok", "alice",
			oboInstallation("alice", "accounts/A", "read:projects"), http.StatusCreated, 1)
		oboExpectReason(t, g, ext, "installation", "i-ok")
		oboExpectDecisions(t, g, "beyond consent", false,
			oboCheck{Installation: "i-ok", Resource: "accounts/A", Permission: "delete:projects"})
		oboExpectDecisions(t, g, "as bob through it", true,
			oboCheck{User: "bob", Installation: "i-ok", Resource: "accounts/A/projects/p2", Permission: "read:projects"})
	})
}

// oboTestGrantChain hands out a role carrying grant with delegate, and
// checks that its receiver may pass on the permission but not the grant.
func oboTestGrantChain(t *testing.T, g *gate) {
	ginaReads := oboCheck{User: "gina", Resource: "accounts/A/x", Permission: "read:projects"}
	halReads := oboCheck{User: "hal", Resource: "accounts/A/x", Permission: "read:projects"}
	oboExpectDecisions(t, g, "before", false, ginaReads, halReads)

	oboWrite(t, g, http.MethodPut, "/v1/memberships/m-gina-lead", "dave",
		oboMembership("gina", "accounts/A", "lead"), http.StatusCreated, 1)
	oboExpectReason(t, g, ginaReads, "membership", "m-gina-lead")

	oboWrite(t, g, http.MethodPut, "/v1/memberships/m-hal", "gina",
		oboMembership("hal", "accounts/A/x", "viewer"), http.StatusCreated, 1)
	oboExpectReason(t, g, halReads, "membership", "m-hal")

	code, raw := oboDo(t, g, http.MethodPut, "/v1/memberships/m-hal-lead", "gina", oboMembership("hal", "accounts/A", "lead"))
	oboExpectForbidden(t, code, raw, []oboMissing{{"lead", "read:projects", "accounts/A", "delegate"}})
	if s := oboGet(t, g, "/v1/memberships/m-hal-lead"); s.Status != http.StatusNotFound {
		t.Errorf("GET after the refused write: %+v, want 404", s)
	}
}

// oboTestWithoutHeader checks that the same write, refused on behalf of
// alice, is made with the caller's own rights when no user is named.
func oboTestWithoutHeader(t *testing.T, g *gate) {
	c := oboCheck{User: "rex", Resource: "accounts/A/p1", Permission: "write:projects"}
	body := oboMembership("rex", "accounts/A", "editor")
	code, raw := oboDo(t, g, http.MethodPut, "/v1/memberships/m-rex-editor", "alice", body)
	oboExpectForbidden(t, code, raw, []oboMissing{{"editor", "write:projects", "accounts/A", "grant"}})
	oboWrite(t, g, http.MethodPut, "/v1/memberships/m-rex-editor", "", body, http.StatusCreated, 1)
	oboExpectReason(t, g, c, "membership", "m-rex-editor")
}

// oboTestDelegateOnly: a permission carrying delegate lets its holder hand
// out grant, so giving it needs delegate too; otherwise alice, who holds
// grant alone, would give herself delegate and then hand out lead. And
// delegate alone is not grant: giving lead needs both.
func oboTestDelegateOnly(t *testing.T, g *gate) {
	code, raw := oboDo(t, g, http.MethodPut, "/v1/memberships/m-alice-deleg", "alice",
		oboMembership("alice", "accounts/A", "deleg-only"))
	oboExpectForbidden(t, code, raw, []oboMissing{{"deleg-only", "read:projects", "accounts/A", "delegate"}})
	if s := oboGet(t, g, "/v1/memberships/m-alice-deleg"); s.Status != http.StatusNotFound {
		t.Errorf("GET after the refused write: %+v, want 404", s)
	}
	code, raw = oboDo(t, g, http.MethodPut, "/v1/memberships/m-rex-lead", "alice", oboMembership("rex", "accounts/A", "lead"))
	oboExpectForbidden(t, code, raw, []oboMissing{{"lead", "read:projects", "accounts/A", "delegate"}})

	// dave holds delegate and may hand it out. ivy, holding delegate
	// without grant, may not give lead: it hands out read:projects itself,
	// which needs grant (else jay, her friend, could give it back to her).
	oboWrite(t, g, http.MethodPut, "/v1/memberships/m-ivy-deleg", "dave",
		oboMembership("ivy", "accounts/A", "deleg-only"), http.StatusCreated, 1)
	code, raw = oboDo(t, g, http.MethodPut, "/v1/memberships/m-jay-lead", "ivy", oboMembership("jay", "accounts/A/j", "lead"))
	oboExpectForbidden(t, code, raw, []oboMissing{{"lead", "read:projects", "accounts/A/j", "grant"}})
	oboExpectDecisions(t, g, "after the refused write", false, oboCheck{User: "jay", Resource: "accounts/A/j/1", Permission: "read:projects"})
	// dave holds both and may.
	oboWrite(t, g, http.MethodPut, "/v1/memberships/m-jay-lead", "dave",
		oboMembership("jay", "accounts/A/j", "lead"), http.StatusCreated, 1)
	oboExpectReason(t, g, oboCheck{User: "jay", Resource: "accounts/A/j/1", Permission: "read:projects"}, "membership", "m-jay-lead")
}

// oboTestInstallationResources: an installation's resources are its scope;
// one reaching beyond its context would let the extension, as itself, act
// where the installer holds nothing. It is refused as invalid for every
// caller, so on behalf of alice too, and changes nothing.
func oboTestInstallationResources(t *testing.T, g *gate) {
	ext := oboCheck{Installation: "i-wide", Resource: "accounts/B/p1", Permission: "read:projects"}
	body := oboInstallation("alice", "accounts/A", "read:projects")
	body["resources"] = []string{"accounts/A/projects", "accounts/B"}
	code, raw := oboDo(t, g, http.MethodPut, "/v1/installations/i-wide", "alice", body)
	var got oboErrorBody
	if err := json.Unmarshal(raw, &got); err != nil || code != http.StatusUnprocessableEntity || got.Code != "invalid_input" {
		t.Fatalf("status %d body %s, want 422 invalid_input", code, raw)
	}
	if len(got.Errors) != 1 || got.Errors[0].Field != "resources[1]" {
		t.Errorf("errors %+v, want one on resources[1]", got.Errors)
	}
	if s := oboGet(t, g, "/v1/installations/i-wide"); s.Status != http.StatusNotFound {
		t.Errorf("GET after the refused write: %+v, want 404", s)
	}
	oboExpectDecisions(t, g, "after", false, ext)
}

// oboTestWritesStayVisible checks read-your-writes over time while the
// server also polls and resyncs the store in the background (the harness
// default): after each acknowledged write, decisions must see it and keep
// seeing it, not flip back to the previous version when a background sync
// that read the store before the write is applied after it. The writes
// come back to back so that they overlap the syncs.
func oboTestWritesStayVisible(t *testing.T, g *gate) {
	const writes, checks = 60, 5
	for i := range writes {
		now := oboCheck{User: "vis", Resource: fmt.Sprintf("accounts/A/vis/%d", i), Permission: "read:projects"}
		before := oboCheck{User: "vis", Resource: fmt.Sprintf("accounts/A/vis/%d", i-1), Permission: "read:projects"}
		oboWrite(t, g, http.MethodPut, "/v1/memberships/m-vis", "alice", oboMembership("vis", now.Resource, "viewer"), 0, int64(i+1))
		for j := range checks {
			if !oboDecide(t, g, now).Allowed || (i > 0 && oboDecide(t, g, before).Allowed) {
				t.Fatalf("m-vis version %d was acknowledged (stored: %+v), then decision %d of %d saw an older version",
					i+1, oboGet(t, g, "/v1/memberships/m-vis"), j+1, checks)
			}
		}
	}
}

// oboTestRevokedElsewhere: a membership given three times here is revoked
// and given again, narrower, by another writer on the same store (another
// server, or an import). Versions start again at 1 after a delete, so the
// new document must not be taken for an older version of the revoked one.
func oboTestRevokedElsewhere(t *testing.T, g *gate) {
	wide := oboCheck{User: "zed", Resource: "accounts/A/x", Permission: "read:projects"}
	for i := range 3 {
		oboWrite(t, g, http.MethodPut, "/v1/memberships/m-zed", "alice", oboMembership("zed", "accounts/A", "viewer"), 0, int64(i+1))
	}
	oboExpectDecisions(t, g, "before", true, wide)

	ctx := t.Context()
	if _, err := g.srv.Store.Delete(ctx, model.Memberships, "m-zed", nil); err != nil {
		t.Fatal(err)
	}
	narrow := &model.Membership{Meta: model.Meta{ID: "m-zed"}, UserID: "zed", Context: "accounts/A/y", Roles: []string{"viewer"}}
	if _, err := g.srv.Store.Put(ctx, model.Memberships, narrow, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second) // many polls and resyncs of the harness's server
	for oboDecide(t, g, wide).Allowed {
		if time.Now().After(deadline) {
			t.Fatalf("m-zed was revoked and given again narrower (stored: %+v), yet %+v is still allowed",
				oboGet(t, g, "/v1/memberships/m-zed"), wide)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The delete and the new document arrive as two changes; a poll may land
	// between them, so wait for the narrower grant too before checking it.
	narrowCheck := oboCheck{User: "zed", Resource: "accounts/A/y/1", Permission: "read:projects"}
	for !oboDecide(t, g, narrowCheck).Allowed {
		if time.Now().After(deadline) {
			t.Fatalf("the narrower membership never took effect: %+v", narrowCheck)
		}
		time.Sleep(50 * time.Millisecond)
	}
	oboExpectReason(t, g, narrowCheck, "membership", "m-zed")
}
