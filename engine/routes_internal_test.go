package engine

import (
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

// regoRoute evaluates data.gatehouse.routes.decision, the reference.
func regoRoute(t *testing.T, e *Engine, in HTTPInput) HTTPDecision {
	t.Helper()
	g := e.gen.Load()
	pq, _ := g.policies.Prepared(RouteQuery)
	rs, err := pq.Eval(t.Context(), rego.EvalParsedInput(httpInputValue(in)), rego.EvalTransaction(e.store.Begin(g.view)))
	if err != nil || len(rs) != 1 {
		t.Fatalf("rego %+v: %v (%d results)", in, err, len(rs))
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	var d HTTPDecision
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	d.Revision = g.view.Rev()
	return d
}

// sameRoutesAsRego checks DecideHTTP against routes.decision for every
// input: the same answer, or an *InvalidInputError where the Rego answers
// invalid_input. It returns how many were allowed and how many had no
// route, so the caller can check the inputs exercised both.
func sameRoutesAsRego(t *testing.T, e *Engine, inputs []HTTPInput) (allowed, noRoute int) {
	t.Helper()
	for _, in := range inputs {
		want := regoRoute(t, e, in)
		got, err := e.DecideHTTP(t.Context(), in)
		var invalid *InvalidInputError
		switch {
		case errors.As(err, &invalid):
			if want.DeniedBy == nil || *want.DeniedBy != "invalid_input" || want.Route != nil {
				t.Fatalf("%+v: native refuses (%v), Rego answers %+v", in, invalid.Problems, want)
			}
			continue
		case err != nil:
			t.Fatalf("%+v: %v", in, err)
		}
		got.DecisionID = ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%+v: native differs from Rego (-rego +native):\n%s", in, diff)
		}
		if got.Allowed {
			allowed++
		}
		if got.Route == nil {
			noRoute++
		}
	}
	return allowed, noRoute
}

var variedRoutes = datagen.Routes{Tenants: 4, Apps: 12, RoutesPerApp: 6, Users: 8, Varied: true}

func httpInputs(shape datagen.Routes, n int, seed uint64) []HTTPInput {
	var out []HTTPInput
	for _, q := range datagen.RouteQueries(shape, n, seed) {
		out = append(out, HTTPInput{Tenant: q.Tenant, Method: q.Method, Path: q.Path, User: q.User})
	}
	return out
}

// edgeHTTPInputs vary generated inputs in the ways validation and the
// Rego treat specially.
func edgeHTTPInputs(base []HTTPInput) []HTTPInput {
	variants := []func(*HTTPInput){
		func(in *HTTPInput) { in.Path = strings.TrimPrefix(in.Path, "/") },
		func(in *HTTPInput) { in.Path += "?x=1" },
		func(in *HTTPInput) { in.Path += "#f" },
		func(in *HTTPInput) { in.Path = "/" + in.Path },
		func(in *HTTPInput) { in.Path += "/../x" },
		func(in *HTTPInput) { in.Path += "/%2E%2e" },
		func(in *HTTPInput) { in.Path += "/%2ex" },
		func(in *HTTPInput) { in.Path += "\x01" },
		func(in *HTTPInput) { in.Path += "/\u0085" },
		func(in *HTTPInput) { in.Path = "/" + strings.Repeat("p", 600) },
		func(in *HTTPInput) { in.Path = strings.Repeat("/a", 33) },
		func(in *HTTPInput) { in.Path = strings.Repeat("/a", 32) },
		func(in *HTTPInput) { in.Path += "/é" },
		func(in *HTTPInput) { in.Method = strings.ToLower(in.Method) },
		func(in *HTTPInput) { in.Method = "PROPFIND" },
		func(in *HTTPInput) { in.Method = "" },
		func(in *HTTPInput) { in.Tenant = "t1/x" },
		func(in *HTTPInput) { in.Tenant = ".." },
		func(in *HTTPInput) { in.Tenant = " " },
		func(in *HTTPInput) { in.Tenant = "" },
		func(in *HTTPInput) { in.Tenant = "unknown" },
		func(in *HTTPInput) { in.User = "" },
		func(in *HTTPInput) { in.User = " " },
		func(in *HTTPInput) { in.User = "nobody" },
		func(in *HTTPInput) { in.User += "\n" },
		func(in *HTTPInput) { in.App = "gen:a1" },
		func(in *HTTPInput) { in.User, in.App = "", datagen.RouteApp(2) },
	}
	out := make([]HTTPInput, 0, len(base))
	for i, in := range base {
		variants[i%len(variants)](&in)
		out = append(out, in)
	}
	return out
}

// The sizes of the route differential tests; make props runs them larger.
var (
	routeSeeds  = flag.Int("routes.seeds", 1, "generated data sets in TestRouteDecisionsEqualRego")
	routeRounds = flag.Int("routes.rounds", 6, "rounds of changes in TestRouteDecisionsFollowChanges")
)

// TestRouteDecisionsEqualRego is the differential test of route
// decisions: generated tenants, manifests, paths and methods, the
// native route and decision against data.gatehouse.routes.decision.
func TestRouteDecisionsEqualRego(t *testing.T) {
	for seed := range uint64(*routeSeeds) {
		seed++
		e := NewWithOptions(nil, Options{})
		if _, err := e.Load(t.Context(), datagen.RoutedSnapshot(variedRoutes, seed)); err != nil {
			t.Fatal(err)
		}
		inputs := httpInputs(variedRoutes, 1500, seed)
		inputs = append(inputs, edgeHTTPInputs(inputs[:600])...)
		for k, in := range inputs[:300] { // apps as principals
			in.User, in.App = "", datagen.RouteApp(k%variedRoutes.Apps)
			inputs = append(inputs, in)
		}
		allowed, noRoute := sameRoutesAsRego(t, e, inputs)
		t.Logf("seed %d: %d inputs, %d allowed, %d without a route", seed, len(inputs), allowed, noRoute)
		if allowed == 0 || noRoute == 0 || allowed+noRoute == len(inputs) {
			t.Errorf("seed %d: the inputs must reach allows, denies on a route and no route", seed)
		}
	}
}

// TestRouteDecisionsFollowChanges re-checks parity after onboardings
// and app versions change through Apply.
func TestRouteDecisionsFollowChanges(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	snap := datagen.RoutedSnapshot(variedRoutes, 7)
	e := NewWithOptions(nil, Options{})
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	inputs := httpInputs(variedRoutes, 300, 7)
	for round := range *routeRounds {
		var changes []Change
		for range 1 + r.IntN(3) {
			changes = append(changes, randomRouteChange(r, snap, round))
		}
		if _, err := e.Apply(t.Context(), changes); err != nil {
			t.Fatal(err)
		}
		sameRoutesAsRego(t, e, inputs)
	}
}

// randomRouteChange onboards, re-onboards or offboards an app, or
// rewrites or deletes an app version.
func randomRouteChange(r *rand.Rand, snap *model.Snapshot, round int) Change {
	tenant, app := datagen.RouteTenant(r.IntN(variedRoutes.Tenants)), datagen.RouteApp(r.IntN(variedRoutes.Apps))
	version := []string{"1", "2"}[r.IntN(2)]
	switch r.IntN(4) {
	case 0:
		return Change{Collection: model.Onboardings, ID: model.OnboardingID(tenant, app)}
	case 1:
		v := snap.Apps[r.IntN(len(snap.Apps))]
		v.Version = int64(round + 2)
		v.Manifest.Resources = append([]model.AppResource{{
			Name: "new", ResourcePath: `^/v1/`, AllowedHTTPMethods: []string{"GET"},
			Permissions: []model.RoutePermission{{Action: "new:read", HTTPMethod: "GET"}},
		}}, v.Manifest.Resources...)
		return Change{Collection: model.Apps, ID: v.ID, Doc: &v}
	case 2:
		return Change{Collection: model.Apps, ID: model.AppVersionID(app, version)}
	}
	o := model.Onboarding{Meta: model.Meta{ID: model.OnboardingID(tenant, app), Version: int64(round + 2)}, AppID: app, TenantID: tenant, VersionID: version}
	return Change{Collection: model.Onboardings, ID: o.ID, Doc: &o}
}

// TestRouteDecisionsThroughRego answers DecideHTTP with the Rego
// entrypoint (Options.RegoDecisions) as the native path does.
func TestRouteDecisionsThroughRego(t *testing.T) {
	snap := datagen.RoutedSnapshot(variedRoutes, 4)
	native, rego := NewWithOptions(nil, Options{}), NewWithOptions(nil, Options{RegoDecisions: true})
	for _, e := range []*Engine{native, rego} {
		if _, err := e.Load(t.Context(), snap); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range httpInputs(variedRoutes, 300, 4) {
		want, err := native.DecideHTTP(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rego.DecideHTTP(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".DecisionID" }, cmp.Ignore())); diff != "" {
			t.Fatalf("%+v (-native +rego):\n%s", in, diff)
		}
	}
}
