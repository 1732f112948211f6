package engine_test

import (
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/policies"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

var hookModules = flag.Int("hooks.modules", 10, "generated hook modules in TestGeneratedHooksAgree, 100 questions each")

const evil = "package gatehouse.authz\n\nallow if input.user == \"mallory\"\n"

func TestCheckPolicyRefusesBuiltinPackages(t *testing.T) {
	e := loaded(t)
	refused := []struct{ name, src, names string }{
		{"evil", evil, "package gatehouse.authz "},
		{"subpackage", "package gatehouse.authz.x\n\ny := 1\n", "package gatehouse.authz.x is inside package gatehouse.authz,"},
		{"no rules", "package gatehouse.match\n", "package gatehouse.match "},
		{"grants", "package gatehouse.grants\n\nextra := 1\n", "package gatehouse.grants "},
		{"lookup", "package gatehouse.lookup.deep.er\n\nextra := 1\n", "inside package gatehouse.lookup,"},
		{"admin", "package gatehouse.admin\n\nextra := 1\n", "package gatehouse.admin "},
		{"ref head", "package gatehouse\n\nauthz.allow if input.user == \"mallory\"\n", "rule gatehouse.authz.allow is inside package gatehouse.authz,"},
		{"whole package", "package gatehouse\n\nauthz := {\"allow\": true}\n", "inside package gatehouse.authz,"},
		{"variable ref head", "package gatehouse\n\nauthz[x] := true if some x in [\"allow\"]\n", "inside package gatehouse.authz,"},
		{"index data", "package gatehouse.index\n\nusers := {}\n", "inside the data document gatehouse.index,"},
		{"revision data", "package gatehouse\n\nrevision := 1\n", "inside the data document gatehouse.revision,"},
		{"deny not a set", "package gatehouse.hooks\n\ndeny := true\n", "gatehouse.hooks.deny must be declared as a set"},
		{"default deny", "package gatehouse.hooks\n\ndefault deny := false\n", "gatehouse.hooks.deny must be declared as a set"},
		{"allow object", "package gatehouse.hooks\n\nallow[x] := true if x := input.user\n", "gatehouse.hooks.allow must be declared as a set"},
		{"allow function", "package gatehouse.hooks\n\nallow(x) := true if x\n", "gatehouse.hooks.allow must be declared as a set"},
		{"deny package", "package gatehouse.hooks.deny\n\nx := true\n", "gatehouse.hooks.deny must be declared as a set"},
		{"hooks replaced", "package gatehouse\n\nhooks := {\"allow\": {\"x\"}}\n", "rule gatehouse.hooks: gatehouse.hooks.deny must be declared as a set"},
	}
	for _, c := range refused {
		err := e.CheckPolicy("p-"+c.name, c.src)
		if !errors.Is(err, engine.ErrReservedPackage) || !strings.Contains(err.Error(), c.names) {
			t.Errorf("%s: err = %v, want ErrReservedPackage naming %q", c.name, err, c.names)
		}
	}
	accepted := []string{
		"package custom.x\n\ny := 1\n",
		"package gatehouse\n\nextra := 1\n",
		"package gatehouse.authzx\n\ny := 1\n",
		"package gatehouse.hooks\n\ndeny contains \"frozen\" if input.user == \"u1\"\n",
		"package gatehouse.hooks\n\nallow contains \"x\" if input.user == \"u1\"\n\n_helper := 1\n",
		"package gatehouse.hooks.mine\n\nhelper := 1\n",
		"package gatehouse\n\nhooks.deny contains \"x\" if input.user == \"u1\"\n",
	}
	for _, src := range accepted {
		if err := e.CheckPolicy("ok", src); err != nil {
			t.Errorf("%q refused: %v", src, err)
		}
	}
	for _, src := range []string{"package custom.x\n\ny := \n",
		"package gatehouse.hooks\n\nimport data.gatehouse.authz\n\ndeny contains \"loop\" if authz.allow\n"} {
		if err := e.CheckPolicy("bad", src); !errors.Is(err, engine.ErrCompile) {
			t.Errorf("%q: %v, want ErrCompile", src, err)
		}
	}
}

// The reserved packages are those the built-in modules declare, not a list
// kept by hand: a module added under policies/ is reserved with no change.
func TestCheckPolicyReservesEveryBuiltinPackage(t *testing.T) {
	e := loaded(t)
	n := 0
	for _, m := range policies.Modules() {
		pkg := strings.TrimPrefix(ast.MustParseModuleWithOpts(m.Source, ast.ParserOptions{RegoVersion: ast.RegoV1}).Package.Path.String(), "data.")
		for _, src := range []string{"package " + pkg + "\n\nextra_rule := 1\n", "package " + pkg + ".sub\n\nextra_rule := 1\n"} {
			err := e.CheckPolicy("p", src)
			if pkg == engine.HooksPackage {
				if err != nil {
					t.Errorf("%q refused: %v", src, err)
				}
				continue
			}
			n++
			if !errors.Is(err, engine.ErrReservedPackage) || !strings.Contains(err.Error(), pkg) {
				t.Errorf("%q: err = %v", src, err)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d built-in packages checked", n/2)
	}
}

// A policy in a built-in package that reaches the store anyway (written
// straight to MongoDB) is left out at load and reported.
func TestLoadSkipsPoliciesInBuiltinPackages(t *testing.T) {
	snap := fixture()
	snap.Policies = []model.Policy{
		{Meta: model.Meta{ID: "evil"}, Source: evil},
		{Meta: model.Meta{ID: "good"}, Source: "package custom.good\n\nx := 1\n"},
	}
	e := engine.New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"user": "mallory", "resource": "accounts/A", "permission": "read:x"}
	r, err := e.Query(t.Context(), "gatehouse/authz/allow", in, engine.QueryOptions{})
	if err != nil || r.Result != false {
		t.Fatalf("allow for mallory = %v, %v", r.Result, err)
	}
	st, _ := e.Status()
	if diff := cmp.Diff([]string{"evil"}, st.SkippedPolicies); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	ex, err := e.Export(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ex.Modules[engine.CustomPolicyPath("evil")]; ok {
		t.Error("the skipped policy goes into bundles")
	}
	if _, ok := ex.Modules[engine.CustomPolicyPath("good")]; !ok {
		t.Error("the good policy is missing")
	}
}

// hookView is what /v1/authorize, data.gatehouse.authz.decision and allow
// must agree on.
type hookView struct {
	Allowed  bool            `json:"allowed"`
	Reasons  []engine.Reason `json:"reasons"`
	DeniedBy *string         `json:"denied_by"`
}

// Over generated hook modules and questions: Decide, the decision
// entrypoint and allow agree; an allow hook never lets a question through
// an installation the model's installation side denies, nor allows a
// user through an extension what it does not allow them alone; a module
// with deny hooks only never allows what the model denies.
func TestGeneratedHooksAgree(t *testing.T) {
	const users = 60
	snap := datagen.Snapshot(users, 3)
	base := engine.New(nil)
	if _, err := base.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	cases, widened, narrowed, passedOn := 0, 0, 0, 0
	for m := range *hookModules {
		src, allows, _ := datagen.HookModule(r, users)
		snap.Policies = []model.Policy{{Meta: model.Meta{ID: "gen"}, Source: src}}
		e := engine.New(nil)
		if _, err := e.Load(t.Context(), snap); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.Status(); len(st.SkippedPolicies) > 0 {
			t.Fatalf("module %d skipped:\n%s", m, src)
		}
		seed := uint64(m)
		questions := slices.Concat(datagen.Queries(users, 40, seed, datagen.ModeUser),
			datagen.Queries(users, 45, seed, datagen.ModeDelegated), datagen.Queries(users, 15, seed, datagen.ModeInstallation))
		for _, q := range questions {
			in := engine.Input{User: q.User, Installation: q.Installation, Resource: q.Resource, Permission: q.Permission}
			got := hookDecide(t, e, in)
			want := baseDecide(t, base, in)
			cases++
			switch {
			case got.Allowed && !want.Allowed:
				widened++
				if !allows || *want.DeniedBy != "user" || !slices.ContainsFunc(got.Reasons, func(r engine.Reason) bool { return r.Kind == "policy" }) {
					t.Fatalf("module %d widened %+v past %q without an allow hook reason: %+v\n%s", m, in, *want.DeniedBy, got, src)
				}
			case !got.Allowed && want.Allowed:
				narrowed++
			}
			if in.User != "" && in.Installation != "" && !want.Allowed && *want.DeniedBy == "user" && (got.DeniedBy == nil || *got.DeniedBy != "user") {
				passedOn++ // an allow hook passed the user side; the installation decides
			}
			if got.Allowed && in.User != "" && in.Installation != "" {
				alone := hookDecide(t, e, engine.Input{User: in.User, Resource: in.Resource, Permission: in.Permission})
				inst := baseDecide(t, base, engine.Input{Installation: in.Installation, Resource: in.Resource, Permission: in.Permission})
				if !alone.Allowed || !inst.Allowed {
					t.Fatalf("module %d allows %+v through the extension; user alone %+v, installation side %+v\n%s", m, in, alone, inst, src)
				}
			}
		}
	}
	t.Logf("%d modules, %d cases: %d widened by allow hooks, %d narrowed by deny hooks, %d through an installation after an allow hook",
		*hookModules, cases, widened, narrowed, passedOn)
	if widened == 0 || narrowed == 0 || passedOn == 0 {
		t.Fatal("degenerate generator: no hook ever changed a decision both ways")
	}
}

// hookDecide asks Decide and evaluates data.gatehouse.authz, checks that
// Decide, its decision and its allow agree, and returns the answer.
func hookDecide(t *testing.T, e *engine.Engine, in engine.Input) hookView {
	t.Helper()
	d, err := e.Decide(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	input := map[string]any{"resource": in.Resource, "permission": in.Permission}
	if in.User != "" {
		input["user"] = in.User
	}
	if in.Installation != "" {
		input["installation"] = in.Installation
	}
	r, err := e.Query(t.Context(), "gatehouse/authz", input, engine.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(r.Result)
	var pkg struct {
		Allow    bool     `json:"allow"`
		Decision hookView `json:"decision"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatal(err)
	}
	got := hookView{Allowed: d.Allowed, Reasons: d.Reasons, DeniedBy: d.DeniedBy}
	if diff := cmp.Diff(pkg.Decision, got); diff != "" {
		t.Fatalf("%+v: Decide differs from the decision entrypoint (-rego +decide):\n%s", in, diff)
	}
	if pkg.Allow != d.Allowed {
		t.Fatalf("%+v: allow = %v, decision.allowed = %v", in, pkg.Allow, d.Allowed)
	}
	return got
}

// baseDecide answers with the model alone (natively; the differential
// tests hold that equal to the Rego).
func baseDecide(t *testing.T, e *engine.Engine, in engine.Input) hookView {
	t.Helper()
	d, err := e.Decide(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	return hookView{Allowed: d.Allowed, Reasons: d.Reasons, DeniedBy: d.DeniedBy}
}
