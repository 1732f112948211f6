package decisions

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// hookSnapshot: alice reads chats in accounts/acme; the summarizer is
// installed there with consent to read chats; another installation is off.
func hookSnapshot() *model.Snapshot {
	return &model.Snapshot{
		Roles: []model.Role{{Meta: model.Meta{ID: "chat-reader"}, Permissions: []model.Permission{{Action: "chats:read"}}}},
		Records: []model.Record{{Meta: model.Meta{ID: "rec-alice"}, Status: "ACTIVE", Users: []model.UserRef{{UserID: "alice"}},
			Statements: []model.Statement{{Roles: []string{"chat-reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/acme"}}}}}},
		Extensions: []model.Extension{{Meta: model.Meta{ID: "summarizer"}, Permissions: []string{"chats:*"}}},
		Installations: []model.Installation{
			{Meta: model.Meta{ID: "summarizer-acme"}, ExtensionID: "summarizer", Context: "accounts/acme", Status: "ACTIVE", ConsentedPermissions: []string{"chats:read"}},
			{Meta: model.Meta{ID: "summarizer-off"}, ExtensionID: "summarizer", Context: "accounts/acme", Status: "DISABLED", ConsentedPermissions: []string{"chats:read"}},
		},
	}
}

// everywhere asks /v1/authorize, data.gatehouse.authz.decision and
// data.gatehouse.authz.allow, fails unless they agree, and returns the
// decision.
func everywhere(t *testing.T, g *testkit.Gate, in map[string]string) engine.Decision {
	t.Helper()
	d := g.Decide(in)
	var dec struct{ Result engine.Decision }
	g.JSON(http.MethodPost, "/v1/data/gatehouse/authz/decision", map[string]any{"input": in}, http.StatusOK, &dec)
	var allow struct{ Result bool }
	g.JSON(http.MethodPost, "/v1/data/gatehouse/authz/allow", map[string]any{"input": in}, http.StatusOK, &allow)
	if diff := cmp.Diff(d, dec.Result, testkit.SameAnswer); diff != "" {
		t.Fatalf("%v: /v1/authorize vs data.gatehouse.authz.decision (-authorize +data):\n%s", in, diff)
	}
	if allow.Result != d.Allowed {
		t.Fatalf("%v: data.gatehouse.authz.allow = %v, /v1/authorize allowed = %v", in, allow.Result, d.Allowed)
	}
	return d
}

func TestHooksPolicyInBuiltinPackageRefused(t *testing.T) {
	g := testkit.Start(t, hookSnapshot())
	mallory := map[string]string{"user": "mallory", "resource": "accounts/acme", "permission": "chats:read"}
	cases := []struct{ id, src, pkg string }{
		{"evil", "package gatehouse.authz\n\nallow if input.user == \"mallory\"\n", "gatehouse.authz"},
		{"other-id", "package gatehouse.authz\n\nallow if input.user == \"mallory\"\n", "gatehouse.authz"},
		{"sub", "package gatehouse.authz.x\n\nallow if input.user == \"mallory\"\n", "gatehouse.authz.x"},
		{"match", "package gatehouse.match\n\ncovers(_, _) := true\n", "gatehouse.match"},
		{"ref-head", "package gatehouse\n\nauthz.allow if input.user == \"mallory\"\n", "gatehouse.authz,"},
	}
	for _, c := range cases {
		code, raw := g.Do(http.MethodPut, "/v1/policies/"+c.id, map[string]string{"source": c.src})
		var body struct {
			Code   string
			Errors []struct{ Field, Message string }
		}
		_ = json.Unmarshal(raw, &body)
		if code != http.StatusUnprocessableEntity || len(body.Errors) != 1 || body.Errors[0].Field != "source" ||
			!strings.Contains(body.Errors[0].Message, "package "+c.pkg) {
			t.Errorf("%s: %d %s, want 422 naming package %s", c.id, code, raw, c.pkg)
		}
		if code, _ := g.Do(http.MethodGet, "/v1/policies/"+c.id, nil); code != http.StatusNotFound {
			t.Errorf("%s: stored anyway (%d)", c.id, code)
		}
	}
	if d := everywhere(t, g, mallory); d.Allowed {
		t.Fatalf("mallory allowed: %+v", d)
	}
}

func TestHooksDenyNarrowsEverywhere(t *testing.T) {
	g := testkit.Start(t, hookSnapshot())
	alice := map[string]string{"user": "alice", "resource": "accounts/acme/chats/1", "permission": "chats:read"}
	through := map[string]string{"user": "alice", "installation": "summarizer-acme", "resource": "accounts/acme/chats/1", "permission": "chats:read"}
	for _, in := range []map[string]string{alice, through} {
		if d := everywhere(t, g, in); !d.Allowed {
			t.Fatalf("%v denied before the hook: %+v", in, d)
		}
	}
	src := "package gatehouse.hooks\n\ndeny contains \"chats are frozen\" if startswith(input.resource, \"accounts/acme/chats\")\n"
	g.JSON(http.MethodPut, "/v1/policies/freeze", map[string]string{"source": src}, http.StatusCreated, nil)
	for _, in := range []map[string]string{alice, through} {
		d := everywhere(t, g, in)
		if d.Allowed || d.DeniedBy == nil || *d.DeniedBy != "policy" || len(d.Reasons) != 0 {
			t.Errorf("%v after the deny hook: %+v, want denied by policy", in, d)
		}
	}
	// The model's failing side is named first.
	if d := everywhere(t, g, map[string]string{"user": "bob", "resource": "accounts/acme/chats/1", "permission": "chats:read"}); d.DeniedBy == nil || *d.DeniedBy != "user" {
		t.Errorf("bob: %+v, want denied by user", d)
	}
	if d := everywhere(t, g, map[string]string{"user": "alice", "resource": "accounts/acme", "permission": "chats:read"}); !d.Allowed {
		t.Errorf("outside the hook's scope: %+v", d)
	}
}

func TestHooksAllowIsItsOwnReasonAndNeverWidensThroughAnExtension(t *testing.T) {
	g := testkit.Start(t, hookSnapshot())
	src := `package gatehouse.hooks

allow contains "support-desk" if input.user == "sam"

allow contains "through-summarizer" if input.installation == "summarizer-acme"
`
	g.JSON(http.MethodPut, "/v1/policies/support", map[string]string{"source": src}, http.StatusCreated, nil)
	sam := func(installation, permission string) map[string]string {
		in := map[string]string{"user": "sam", "resource": "/accounts/acme/chats/1/", "permission": permission}
		if installation != "" {
			in["installation"] = installation
		}
		return in
	}
	want := []engine.Reason{{Kind: "policy", ID: "support-desk", Resource: "accounts/acme/chats/1"}}
	if d := everywhere(t, g, sam("", "chats:write")); !d.Allowed || !cmp.Equal(d.Reasons, want) {
		t.Errorf("sam alone: %+v, want allowed with reasons %v", d, want)
	}
	checks := []struct {
		installation, permission, deniedBy string
	}{
		{"summarizer-off", "chats:read", "installation_status"},
		{"summarizer-acme", "chats:write", "consent"},
	}
	for _, c := range checks {
		if d := everywhere(t, g, sam(c.installation, c.permission)); d.Allowed || d.DeniedBy == nil || *d.DeniedBy != c.deniedBy {
			t.Errorf("sam through %s for %s: %+v, want denied by %s", c.installation, c.permission, d, c.deniedBy)
		}
	}
	d := everywhere(t, g, sam("summarizer-acme", "chats:read"))
	want = []engine.Reason{ // as OPA orders a set of objects: by id first
		{Kind: "installation", ID: "summarizer-acme", Resource: "accounts/acme"},
		{Kind: "policy", ID: "support-desk", Resource: "accounts/acme/chats/1"},
	}
	if !d.Allowed || !cmp.Equal(d.Reasons, want) {
		t.Errorf("sam through the summarizer: %+v, want allowed with reasons %v", d, want)
	}
	// An allow hook decides for the user alone: one that names the
	// installation gives nobody anything through it.
	bob := map[string]string{"user": "bob", "installation": "summarizer-acme", "resource": "accounts/acme/chats/1", "permission": "chats:read"}
	if d := everywhere(t, g, bob); d.Allowed || d.DeniedBy == nil || *d.DeniedBy != "user" {
		t.Errorf("bob through the summarizer: %+v, want denied by user", d)
	}
}

// Generated hook modules, each loaded through the API and pulled by a
// stock OPA sidecar: for generated questions /v1/authorize, the Data API's
// decision and allow and the sidecar's decision and allow all agree, and
// the hooks change some answers (they are consulted at all).
func TestHooksSidecarGeneratedModules(t *testing.T) {
	const users, modules, questions = 60, 5, 50
	_, uri := testkit.StoreWith(t, datagen.Snapshot(users, 5))
	g := testkit.StartOn(t, uri)
	opa := testkit.StartSidecar(t, g.Base, testkit.SidecarOptions{Resource: "/v1/bundles/gatehouse"})
	testkit.Until(t, 60*time.Second, "sidecar activates the bundle", opa.Healthy)
	r := rand.New(rand.NewPCG(11, 12))
	before := map[int][]engine.Decision{}
	for m := range modules {
		for _, q := range datagen.MixedQueries(users, questions, uint64(m)) {
			before[m] = append(before[m], everywhere(t, g, q.Map()))
		}
	}
	cases, allowed, changed := 0, 0, 0
	for m := range modules {
		src, _, _ := datagen.HookModule(r, users)
		src += fmt.Sprintf("\n_generation := %d\n", m)
		status := http.StatusOK // replaced
		if m == 0 {
			status = http.StatusCreated
		}
		g.JSON(http.MethodPut, "/v1/policies/generated", map[string]string{"source": src}, status, nil)
		testkit.Until(t, 30*time.Second, "sidecar loads the module", func() bool {
			var out struct{ Result *int }
			opa.Query("/v1/data/gatehouse/hooks/_generation", nil, &out)
			return out.Result != nil && *out.Result == m
		})
		for i, q := range datagen.MixedQueries(users, questions, uint64(m)) {
			in := q.Map()
			want := everywhere(t, g, in)
			if !cmp.Equal(want, before[m][i], testkit.SameAnswer) {
				changed++
			}
			var allow struct{ Result bool }
			opa.Query("/v1/data/gatehouse/authz/allow", in, &allow)
			if diff := cmp.Diff(want, opa.Decide(in), testkit.SameAnswer); diff != "" || allow.Result != want.Allowed {
				t.Fatalf("module %d, %v: sidecar allow %v; decision (-gatehouse +sidecar):\n%s\n%s", m, in, allow.Result, diff, src)
			}
			cases++
			if want.Allowed {
				allowed++
			}
		}
	}
	t.Logf("%d modules, %d questions equal on /v1/authorize, the Data API and the sidecar (%d allowed, %d changed by the hooks)", modules, cases, allowed, changed)
	if changed == 0 {
		t.Fatal("no hook changed any answer")
	}
}
