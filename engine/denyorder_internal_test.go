package engine

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

// TestDeniedByIsFirstFailingCheck holds, over generated and edge inputs
// (with and without a deny hook), that decision.denied_by is the first
// entry of checks that failures holds, and null exactly when none fails.
func TestDeniedByIsFirstFailingCheck(t *testing.T) {
	snap := datagen.Snapshot(200, 5)
	inputs := generated(200, 5)[:300]
	inputs = append(inputs, edgeInputs(inputs)...)
	for _, in := range inputs[:300] {
		if in.Installation != "" { // out of every installation's scope
			in.Resource = "nowhere/1"
			inputs = append(inputs, in)
		}
	}
	for _, hooks := range []bool{false, true} {
		if hooks {
			snap.Policies = []model.Policy{{Meta: model.Meta{ID: "deny"}, Source: "package gatehouse.hooks\n\ndeny contains \"odd\" if endswith(input.resource, \"1\")\n"}}
		}
		e := New(nil)
		if _, err := e.Load(t.Context(), snap); err != nil {
			t.Fatal(err)
		}
		g := e.gen.Load()
		pq, err := g.policies.Rego(rego.Query("data.gatehouse.authz")).PrepareForEval(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, in := range inputs {
			rs, err := pq.Eval(t.Context(), rego.EvalParsedInput(inputValue(in)), rego.EvalTime(time.Now()), rego.EvalTransaction(e.store.Begin(g.view)))
			if err != nil || len(rs) != 1 {
				t.Fatalf("%+v: %v (%d results)", in, err, len(rs))
			}
			raw, _ := json.Marshal(rs[0].Expressions[0].Value)
			var doc struct {
				Decision Decision
				Checks   []string
				Failures []string
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			var first *string
			for _, c := range doc.Checks {
				if slices.Contains(doc.Failures, c) {
					first = &c
					break
				}
			}
			got := doc.Decision.DeniedBy
			if (got == nil) != (first == nil) || (got != nil && *got != *first) || doc.Decision.Allowed != (first == nil) {
				t.Fatalf("%+v: decision %+v, failures %v: denied_by is not the first failing check of %v", in, doc.Decision, doc.Failures, doc.Checks)
			}
			if got != nil {
				seen[*got] = true
			} else {
				seen["allowed"] = true
			}
		}
		want := []string{"allowed", "invalid_input", "user", "installation_status", "installation_scope", "consent"}
		if hooks {
			want = append(want, "policy")
		}
		for _, w := range want {
			if !seen[w] {
				t.Errorf("hooks %v: no input decided %q; the property needs every outcome", hooks, w)
			}
		}
	}
}
