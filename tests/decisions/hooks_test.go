package decisions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api/client"
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
	d, err := g.Client().Authorize(t.Context(), inputOf(t, in))
	if err != nil {
		t.Fatalf("%v: %v", in, err)
	}
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

// inputOf is a question written as JSON (a map) as the client asks it;
// a key engine.Input does not have fails the test.
func inputOf(t *testing.T, question any) engine.Input {
	t.Helper()
	raw, err := json.Marshal(question)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var in engine.Input
	if err := dec.Decode(&in); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return in
}

// putPolicy stores a custom policy through the client and fails unless
// the answer is 201 (created) or 200 (replaced) as want says.
func putPolicy(t *testing.T, g *testkit.Gate, id, src string, created bool) {
	t.Helper()
	w, err := g.Client().Policies().Put(t.Context(), id, model.Policy{Source: src})
	if err != nil || w.Created != created || w.Doc.Source != src {
		t.Fatalf("PUT policy %s: %+v, %v; want stored, created: %v", id, w, err, created)
	}
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
	policies := g.Client().Policies()
	for _, c := range cases {
		_, err := policies.Put(t.Context(), c.id, model.Policy{Source: c.src})
		var e *client.Error
		if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || len(e.Problems) != 1 || e.Problems[0].Field != "source" ||
			!strings.Contains(e.Problems[0].Message, "package "+c.pkg) {
			t.Errorf("%s: %v, want 422 naming package %s", c.id, err, c.pkg)
		}
		if _, err := policies.Get(t.Context(), c.id); !client.IsNotFound(err) {
			t.Errorf("%s: stored anyway (%v)", c.id, err)
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
	putPolicy(t, g, "freeze", src, true)
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
	putPolicy(t, g, "support", src, true)
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
		putPolicy(t, g, "generated", src, m == 0)
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
