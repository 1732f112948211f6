package manage

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// Helpers of the on-behalf-of tests: their data, request bodies,
// decisions and the checks of a refusal.

// onBehalfSnapshot is the data the on-behalf-of tests start from:
//   - alice holds grant on read:* (not delegate), write:projects without
//     grant, and extensions:install, all on accounts/A;
//   - dave holds read:* with grant and delegate on accounts/A;
//   - erin holds read:projects on accounts/A, but not extensions:install;
//   - group ops receives editor (write:projects) on accounts/A, group readers
//     receives viewer on accounts/A/projects; both start empty;
//   - installation i-A of ext1 at accounts/A has consent to read:projects.
//
// Everyone else (rex, mallory, bob, gina, hal, ivy, jay, vis) starts with nothing.
func onBehalfSnapshot() *model.Snapshot {
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

func membershipBody(user, context string, roles ...string) map[string]any {
	return map[string]any{"userId": user, "context": context, "roles": roles}
}

func statementBody(role string, uris ...string) map[string]any {
	res := make([]map[string]string, len(uris))
	for i, u := range uris {
		res[i] = map[string]string{"resourceUri": u}
	}
	return map[string]any{"roles": []string{role}, "resources": res}
}

func recordBody(user string, statements ...map[string]any) map[string]any {
	return map[string]any{
		"name": "on behalf", "status": "ACTIVE",
		"users": []map[string]string{{"userId": user}}, "statements": statements,
	}
}

func groupRecordBody(group string, statements ...map[string]any) map[string]any {
	return map[string]any{
		"name": "on behalf", "status": "ACTIVE",
		"groups": []map[string]string{{"groupId": group}}, "statements": statements,
	}
}

func groupBody(name string, members ...string) map[string]any {
	us := make([]map[string]string, len(members))
	for i, m := range members {
		us[i] = map[string]string{"userId": m}
	}
	return map[string]any{"name": name, "users": us}
}

func installationBody(by, context string, consented ...string) map[string]any {
	return map[string]any{
		"extensionId": "ext1", "context": context, "consentedPermissions": consented,
		"installedBy": by, "status": "ACTIVE",
	}
}

// doAs sends a request as user (no header when user is empty) with extra
// headers, and returns the status and body.
func doAs(t *testing.T, g *testkit.Gate, method, path, user string, body any, headers ...string) (int, []byte) {
	t.Helper()
	h := map[string]string{}
	if user != "" {
		h[api.UserHeader] = user
	}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return g.DoWith(method, path, body, h)
}

// check is one decision question; Installation alone asks as the extension.
type check struct {
	User         string `json:"user,omitempty"`
	Installation string `json:"installation,omitempty"`
	Resource     string `json:"resource"`
	Permission   string `json:"permission"`
}

func decide(t *testing.T, g *testkit.Gate, c check) engine.Decision {
	t.Helper()
	d, err := g.Client().Authorize(t.Context(), engine.Input{User: c.User, Installation: c.Installation, Resource: c.Resource, Permission: c.Permission})
	if err != nil {
		t.Fatalf("authorize %+v: %v", c, err)
	}
	return d
}

// expectDecisions checks that each check is allowed (or not) right now.
func expectDecisions(t *testing.T, g *testkit.Gate, when string, allowed bool, checks ...check) {
	t.Helper()
	for _, c := range checks {
		if got := decide(t, g, c).Allowed; got != allowed {
			t.Errorf("%s: %+v allowed = %v, want %v", when, c, got, allowed)
		}
	}
}

// missing is one thing the error body must say the user lacks.
type missing struct {
	Role, Action, Resource, Needs string
}

// expectForbidden checks a 403 forbidden body with one problem per want
// item, each naming its role (if any), action, resource and needed flag.
func expectForbidden(t *testing.T, code int, raw []byte, want []missing) {
	t.Helper()
	if code != http.StatusForbidden {
		t.Fatalf("status %d, want 403; body %s", code, raw)
	}
	var body api.ErrorBody
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
			if mentions(text, w.Action) && mentions(text, w.Resource) && mentions(text, w.Needs) &&
				(w.Role == "" || mentions(text, w.Role)) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error says %+v is missing: %s", w, raw)
		}
	}
}

// mentions reports whether word is one of the words of text, quotes
// and trailing punctuation aside: not part of a longer action or resource.
func mentions(text, word string) bool {
	for _, f := range strings.Fields(text) {
		if strings.TrimRight(strings.Trim(f, `"'`), `:,.;"'`) == word {
			return true
		}
	}
	return false
}

// docState is what a GET of a document returns: its status and version.
type docState struct {
	Status  int
	Version int64
}

func getState(t *testing.T, g *testkit.Gate, path string) docState {
	t.Helper()
	code, raw := doAs(t, g, http.MethodGet, path, "", nil)
	s := docState{Status: code}
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
