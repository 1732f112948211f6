package authzen

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/api/authzen"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// todoRoles are the interop Todo scenario's roles as gatehouse roles;
// each includes the one before it.
var todoRoles = map[string][]string{
	"todo-viewer":      {"can_read_user", "can_read_todos"},
	"todo-editor":      {"can_read_user", "can_read_todos", "can_create_todo"},
	"todo-admin":       {"can_read_user", "can_read_todos", "can_create_todo", "can_delete_todo"},
	"todo-evil-genius": {"can_read_user", "can_read_todos", "can_create_todo", "can_update_todo"},
	// todo-owner is what an editor holds on the todos it owns.
	"todo-owner": {"can_update_todo", "can_delete_todo"},
	// The certification fixture: alice reads and writes records, bob reads them.
	"cert-editor": {"read", "write"},
	"cert-reader": {"read"},
}

// snapshot is the demo data plus the Todo scenario (rick is admin and
// evil genius, morty an editor owning todo-1, beth a viewer; rick owns
// todo-2) and the certification fixture's identifier rules.
func snapshot(t *testing.T) *model.Snapshot {
	t.Helper()
	snap := testkit.DemoSnapshot(t)
	for id, actions := range todoRoles {
		role := model.Role{Meta: model.Meta{ID: id}}
		for _, a := range actions {
			role.Permissions = append(role.Permissions, model.Permission{Action: a})
		}
		snap.Roles = append(snap.Roles, role)
	}
	grant := func(id, user, role string, uris ...string) model.Record {
		var res []model.ResourceRef
		for _, u := range uris {
			res = append(res, model.ResourceRef{ResourceURI: u})
		}
		return model.Record{Meta: model.Meta{ID: id}, Status: model.StatusActive, Users: []model.UserRef{{UserID: user}},
			Statements: []model.Statement{{Roles: []string{role}, Resources: res}}}
	}
	snap.Records = append(snap.Records,
		grant("todo-rick-admin", "rick", "todo-admin", "todo", "user"),
		grant("todo-rick-evil", "rick", "todo-evil-genius", "todo", "user"),
		grant("todo-morty", "morty", "todo-editor", "todo", "user"),
		grant("todo-beth", "beth", "todo-viewer", "todo", "user"),
		grant("todo-1-owner", "morty", "todo-owner", "todo/todo-1"),
		grant("todo-2-owner", "rick", "todo-owner", "todo/todo-2"),
		grant("cert-alice", "alice", "cert-editor", "record"),
		grant("cert-bob", "bob", "cert-reader", "record"),
	)
	return snap
}

// start runs gatehouse over the snapshot; options adjust its config.
func start(t *testing.T, options ...func(*server.Config)) *testkit.Gate {
	t.Helper()
	_, uri := testkit.StoreWith(t, snapshot(t))
	return testkit.StartOn(t, uri, options...)
}

// question is one decision asked both ways.
type question struct {
	name     string
	subject  authzen.Subject
	action   string
	resource authzen.Resource
	allowed  bool
}

func user(id string) authzen.Subject { return authzen.Subject{Type: "user", ID: id} }

func res(typ, id string) authzen.Resource { return authzen.Resource{Type: typ, ID: id} }

// authorize is the /v1/authorize body asking what q asks.
func (q question) authorize() map[string]string {
	body := map[string]string{"resource": q.resource.Type + "/" + q.resource.ID, "permission": q.action}
	if uri, ok := q.resource.Properties["uri"].(string); ok {
		body["resource"] = uri
	}
	switch q.subject.Type {
	case "user":
		body["user"] = q.subject.ID
		if inst, ok := q.subject.Properties["installation"].(string); ok {
			body["installation"] = inst
		}
	case "installation":
		body["installation"] = q.subject.ID
	}
	return body
}

func (q question) evaluation() authzen.Evaluation {
	return authzen.Evaluation{Subject: &q.subject, Action: &authzen.Action{Name: q.action}, Resource: &q.resource}
}

var questions = []question{
	// The demo data.
	{"admin reads a chat", user("alice"), "chats:read", res("accounts/acme/chats", "general"), true},
	{"staff reads the general chat", user("bob"), "chats:read", res("accounts/acme/chats", "general"), true},
	{"staff may not write it", user("bob"), "chats:write", res("accounts/acme/chats", "general"), false},
	{"wildcard grant", user("dan"), "chats:read", res("accounts/globex/chats", "x"), true},
	{"membership", user("carol"), "projects:read", res("customers/acme/projects", "p1"), true},
	{"uri property", user("carol"), "files:read", authzen.Resource{Type: "file", ID: "f1", Properties: map[string]any{"uri": "customers/acme/projects/p1/files/f1"}}, true},
	{"unknown user", user("eve"), "chats:read", res("accounts/acme/chats", "general"), false},
	{"installation", authzen.Subject{Type: "installation", ID: "summarizer-acme"}, "chats:read", res("accounts/acme/chats", "general"), true},
	{"installation without consent", authzen.Subject{Type: "installation", ID: "summarizer-acme"}, "chats:write", res("accounts/acme/chats", "general"), false},
	{"disabled installation", authzen.Subject{Type: "installation", ID: "summarizer-paused"}, "chats:read", res("accounts/acme/chats", "general"), false},
	{"user through an installation", authzen.Subject{Type: "user", ID: "alice", Properties: map[string]any{"installation": "summarizer-acme"}}, "chats:read", res("accounts/acme/chats", "general"), true},
	{"user through an installation, beyond consent", authzen.Subject{Type: "user", ID: "alice", Properties: map[string]any{"installation": "summarizer-acme"}}, "chats:write", res("accounts/acme/chats", "general"), false},
	// The interop Todo scenario.
	{"todo: anyone reads a user", user("beth"), "can_read_user", res("user", "rick@the-citadel.com"), true},
	{"todo: viewer reads todos", user("beth"), "can_read_todos", res("todo", "todo-1"), true},
	{"todo: viewer may not create", user("beth"), "can_create_todo", res("todo", "todo-1"), false},
	{"todo: editor creates", user("morty"), "can_create_todo", res("todo", "todo-3"), true},
	{"todo: editor updates its own", user("morty"), "can_update_todo", res("todo", "todo-1"), true},
	{"todo: editor may not update another's", user("morty"), "can_update_todo", res("todo", "todo-2"), false},
	{"todo: editor deletes its own", user("morty"), "can_delete_todo", res("todo", "todo-1"), true},
	{"todo: editor may not delete another's", user("morty"), "can_delete_todo", res("todo", "todo-2"), false},
	{"todo: admin deletes any", user("rick"), "can_delete_todo", res("todo", "todo-1"), true},
	{"todo: evil genius updates any", user("rick"), "can_update_todo", res("todo", "todo-1"), true},
	// The certification fixture's identifier rules 1-4.
	{"cert rule 1", user("alice"), "read", res("record", "record-1"), true},
	{"cert rule 2", user("alice"), "write", res("record", "record-1"), true},
	{"cert rule 3", user("bob"), "read", res("record", "record-1"), true},
	{"cert rule 4", user("bob"), "write", res("record", "record-1"), false},
}

// sameAnswer checks an AuthZEN answer against /v1/authorize's decision.
func sameAnswer(t *testing.T, name string, got authzen.Decision, want engine.Decision) {
	t.Helper()
	if got.Decision != want.Allowed || got.Context == nil || got.Context.DecisionID == "" {
		t.Errorf("%s: decision %v (context %+v), /v1/authorize allowed %v", name, got.Decision, got.Context, want.Allowed)
		return
	}
	deniedBy := ""
	if want.DeniedBy != nil {
		deniedBy = *want.DeniedBy
	}
	var reasons []authzen.Reason
	for _, r := range want.Reasons {
		reasons = append(reasons, authzen.Reason(r))
	}
	if diff := cmp.Diff([]any{deniedBy, reasons}, []any{got.Context.DeniedBy, got.Context.Reasons}); diff != "" {
		t.Errorf("%s: denied_by and reasons differ from /v1/authorize (-authorize +authzen):\n%s", name, diff)
	}
}

func TestAuthZENMatchesAuthorize(t *testing.T) {
	g := start(t)
	var batch authzen.Evaluations
	var want []engine.Decision
	for _, q := range questions {
		d := g.Decide(q.authorize())
		if d.Allowed != q.allowed {
			t.Errorf("%s: /v1/authorize allowed %v, the scenario says %v (%+v)", q.name, d.Allowed, q.allowed, d)
		}
		var got authzen.Decision
		g.JSON(http.MethodPost, authzen.PathEvaluation, q.evaluation(), http.StatusOK, &got)
		sameAnswer(t, q.name, got, d)
		batch.Evaluations = append(batch.Evaluations, q.evaluation())
		want = append(want, d)
	}

	var got authzen.BatchResponse
	g.JSON(http.MethodPost, authzen.PathEvaluations, batch, http.StatusOK, &got)
	if len(got.Evaluations) != len(want) {
		t.Fatalf("%d evaluations answered, want %d", len(got.Evaluations), len(want))
	}
	for i, d := range got.Evaluations {
		sameAnswer(t, "evaluations: "+questions[i].name, d, want[i])
	}

	// The README's example: bob reads the general chat, not the board;
	// deny_on_first_deny answers up to the board's deny.
	chats := authzen.Evaluations{
		Evaluation: authzen.Evaluation{Subject: &authzen.Subject{Type: "user", ID: "bob"}, Action: &authzen.Action{Name: "chats:read"}},
		Options:    &authzen.Options{EvaluationsSemantic: authzen.DenyOnFirstDeny},
	}
	for _, id := range []string{"general", "board", "random"} {
		r := res("accounts/acme/chats", id)
		chats.Evaluations = append(chats.Evaluations, authzen.Evaluation{Resource: &r})
	}
	g.JSON(http.MethodPost, authzen.PathEvaluations, chats, http.StatusOK, &got)
	if len(got.Evaluations) != 2 || !got.Evaluations[0].Decision || got.Evaluations[1].Decision {
		t.Errorf("deny_on_first_deny: %+v, want allow then deny", got.Evaluations)
	}
}

// TestTodoBoxcar is the Todo 1.1 scenario's evaluations call: which todos
// may the user update, the subject and action given once.
func TestTodoBoxcar(t *testing.T) {
	g := start(t)
	todos := []string{"todo-1", "todo-2", "todo-3"}
	for _, who := range []string{"rick", "morty", "beth"} {
		body := map[string]any{"subject": user(who), "action": authzen.Action{Name: "can_update_todo"}}
		var entries []map[string]any
		for _, id := range todos {
			entries = append(entries, map[string]any{"resource": res("todo", id)})
		}
		body["evaluations"] = entries
		var got authzen.BatchResponse
		g.JSON(http.MethodPost, authzen.PathEvaluations, body, http.StatusOK, &got)
		if len(got.Evaluations) != len(todos) {
			t.Fatalf("%s: %d answers for %d todos", who, len(got.Evaluations), len(todos))
		}
		for i, id := range todos {
			sameAnswer(t, who+" "+id, got.Evaluations[i], g.Decide(map[string]string{"user": who, "resource": "todo/" + id, "permission": "can_update_todo"}))
		}
	}
}

// TestCertificationRequests sends the certification scenario's Basic and
// Batch Core requests verbatim (with the fixture as gatehouse data).
func TestCertificationRequests(t *testing.T) {
	g := start(t)
	tests := []struct {
		name, path, body string
		status           int
		decisions        []bool // nil for an error status
	}{
		{"2.2.1 permit", authzen.PathEvaluation, `{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}`, 200, []bool{true}},
		{"2.2.2 deny", authzen.PathEvaluation, `{"subject":{"type":"user","id":"bob"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}}`, 200, []bool{false}},
		{"2.2.3 context", authzen.PathEvaluation, `{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"context":{"time":"2025-06-27T18:03-07:00","ip":"192.168.1.1"}}`, 200, []bool{true}},
		{"2.2.8 properties", authzen.PathEvaluation, `{"subject":{"type":"user","id":"alice","properties":{"department":"Sales","role":"manager"}},"action":{"name":"read","properties":{"method":"GET"}},"resource":{"type":"record","id":"record-1","properties":{"status":"active","owner":"bob"}}}`, 200, []bool{true}},
		{"2.2.9 unknown fields", authzen.PathEvaluation, `{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"foo":"bar","futureField":{"nested":true}}`, 200, []bool{true}},
		{"2.4.1 missing subject", authzen.PathEvaluation, `{"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}`, 400, nil},
		{"2.4.2 action missing name", authzen.PathEvaluation, `{"subject":{"type":"user","id":"alice"},"action":{},"resource":{"type":"record","id":"record-1"}}`, 400, nil},
		{"2.4.4 malformed", authzen.PathEvaluation, `{"subject":`, 400, nil},
		{"2.4.5 empty", authzen.PathEvaluation, ``, 400, nil},
		{"2.4.6 wrong type", authzen.PathEvaluation, `{"subject":"alice","action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}`, 400, nil},
		{"3.2.2 batch", authzen.PathEvaluations, `{"subject":{"type":"user","id":"bob"},"resource":{"type":"record","id":"record-1"},"evaluations":[{"action":{"name":"read"}},{"action":{"name":"write"}}]}`, 200, []bool{true, false}},
		{"3.2.5 no defaults", authzen.PathEvaluations, `{"evaluations":[{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}},{"subject":{"type":"user","id":"bob"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}}]}`, 200, []bool{true, false}},
		{"3.4.1 entry error", authzen.PathEvaluations, `{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"options":{"evaluations_semantic":"execute_all"},"evaluations":[{"resource":{"type":"record","id":"record-1"}},{}]}`, 200, []bool{true, false}},
		{"3.4.2 no evaluations", authzen.PathEvaluations, `{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}`, 200, []bool{true}},
		{"3.4.3 empty evaluations", authzen.PathEvaluations, `{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"evaluations":[]}`, 200, []bool{true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, raw := g.DoWith(http.MethodPost, tt.path, tt.body, map[string]string{"X-Request-ID": "cert-" + tt.name})
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			if tt.decisions == nil {
				var e api.ErrorBody
				if err := json.Unmarshal(raw, &e); err != nil || e.Code == "" {
					t.Errorf("error body %s: %v", raw, err)
				}
				return
			}
			var resp struct {
				authzen.Decision
				Evaluations []authzen.Decision `json:"evaluations"`
			}
			if err := json.Unmarshal(raw, &resp); err != nil {
				t.Fatal(err)
			}
			got := []bool{resp.Decision.Decision}
			if strings.Contains(tt.body, `"evaluations":[{`) {
				got = nil
				for _, d := range resp.Evaluations {
					got = append(got, d.Decision)
				}
			}
			if diff := cmp.Diff(tt.decisions, got); diff != "" {
				t.Errorf("decisions (-want +got):\n%s\n%s", diff, raw)
			}
		})
	}
}

// TestScopesAndMetadata: the evaluation endpoints need the decide scope,
// the metadata document is public and names them.
func TestScopesAndMetadata(t *testing.T) {
	keys := []api.Key{
		{Name: "decider", Secret: "decider-secret-0123456789", Scopes: []string{api.ScopeDecide}},
		{Name: "reader", Secret: "reader-secret-0123456789", Scopes: []string{api.ScopeRead}},
	}
	g := start(t, func(c *server.Config) { c.Keys = keys })
	ask := `{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}`
	for _, path := range []string{authzen.PathEvaluation, authzen.PathEvaluations, authzen.PathSearchSubject, authzen.PathSearchResource, authzen.PathSearchAction} {
		for _, tt := range []struct {
			key    string
			status int
		}{{"", http.StatusUnauthorized}, {keys[1].Secret, http.StatusForbidden}, {keys[0].Secret, http.StatusOK}} {
			headers := map[string]string{}
			if tt.key != "" {
				headers["Authorization"] = "Bearer " + tt.key
			}
			if status, raw := g.DoWith(http.MethodPost, path, ask, headers); status != tt.status {
				t.Errorf("%s with key %q: status %d, want %d: %s", path, tt.key, status, tt.status, raw)
			}
		}
	}

	var meta map[string]string
	g.JSON(http.MethodGet, authzen.PathMetadata, nil, http.StatusOK, &meta)
	want := map[string]string{
		"policy_decision_point":       g.Base,
		"access_evaluation_endpoint":  g.Base + "/access/v1/evaluation",
		"access_evaluations_endpoint": g.Base + "/access/v1/evaluations",
		"search_subject_endpoint":     g.Base + "/access/v1/search/subject",
		"search_resource_endpoint":    g.Base + "/access/v1/search/resource",
		"search_action_endpoint":      g.Base + "/access/v1/search/action",
	}
	if diff := cmp.Diff(want, meta); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
}
