package engine

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

// regoDecision evaluates the Rego entrypoint at now, as the reference.
func regoDecision(t *testing.T, e *Engine, in Input, now int64) Decision {
	t.Helper()
	g := e.gen.Load()
	pq, _ := g.policies.Prepared(DecisionQuery)
	rs, err := pq.Eval(t.Context(), rego.EvalParsedInput(inputValue(in)), rego.EvalTime(time.Unix(0, now)), rego.EvalTransaction(e.store.Begin(g.view)))
	if err != nil || len(rs) != 1 {
		t.Fatalf("rego %+v: %v (%d results)", in, err, len(rs))
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	var d Decision
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	d.Revision = g.view.Rev()
	return d
}

// sameAsRego checks the native decision against the Rego one for every input.
func sameAsRego(t *testing.T, e *Engine, inputs []Input, nows []int64) (allowed int) {
	t.Helper()
	v := e.gen.Load().view
	for _, now := range nows {
		for _, in := range inputs {
			want := regoDecision(t, e, in, now)
			got := v.Decide(in, now)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%+v at %d: native differs from Rego (-rego +native):\n%s", in, now, diff)
			}
			if got.Allowed {
				allowed++
			}
		}
	}
	return allowed
}

// generated are mixed user and installation questions with an app
// question (datagen.AppQueries) after every fourth.
func generated(users int, seed uint64) []Input {
	var out []Input
	apps := datagen.AppQueries(225, seed)
	for i, q := range datagen.MixedQueries(users, 900, seed) {
		out = append(out, Input{User: q.User, Installation: q.Installation, Resource: q.Resource, Permission: q.Permission})
		if i%4 == 3 {
			a := apps[i/4]
			out = append(out, Input{App: a.App, Tenant: a.Tenant, Resource: a.Resource, Permission: a.Permission})
		}
	}
	return out
}

// edgeInputs vary the generated ones in the ways the Rego treats specially:
// slashes, case, wildcards, lengths, unknown subjects, dot segments,
// control characters and subjects combined with app and tenant.
func edgeInputs(base []Input) []Input {
	long := strings.Repeat("x", 600)
	var out []Input
	for i, in := range base[:200] {
		variants := []func(*Input){
			func(in *Input) { in.Resource = "/" + in.Resource + "/" },
			func(in *Input) { in.Resource = "//" + in.Resource },
			func(in *Input) { in.Resource += "//" },
			func(in *Input) { in.Permission = strings.ToUpper(in.Permission) },
			func(in *Input) { in.Permission = "*" },
			func(in *Input) { in.Permission = strings.SplitN(in.Permission, ":", 2)[0] },
			func(in *Input) { in.Permission += ":extra" },
			func(in *Input) { in.Permission += "::" },
			func(in *Input) { in.Resource = in.Resource + "/*" },
			func(in *Input) { in.Resource = strings.SplitN(in.Resource, "/", 2)[0] },
			func(in *Input) { in.Resource = long },
			func(in *Input) { in.Resource = strings.Repeat("a/", 32) + "a" },
			func(in *Input) { in.Resource = strings.Repeat("é/", 100) + "é" },
			func(in *Input) { in.Permission = strings.Repeat("é", 256) },
			func(in *Input) { in.Permission = strings.Repeat("é", 257) },
			func(in *Input) { in.User = "nobody" },
			func(in *Input) { in.Installation = "missing" },
			func(in *Input) { in.User, in.Installation = "", "" },
			func(in *Input) { in.Resource += "/../x" },
			func(in *Input) { in.Resource = "./" + in.Resource },
			func(in *Input) { in.Resource += "/..x" },
			func(in *Input) { in.Resource += "\x00" },
			func(in *Input) { in.Permission += "\u0085" },
			func(in *Input) { in.User += "\n" },
			func(in *Input) { in.User = " " },
			func(in *Input) { in.Installation = strings.Repeat("i", 513) },
			func(in *Input) { in.App = "" },
			func(in *Input) { in.Tenant = "" },
			func(in *Input) { in.App, in.Tenant = "platform:app1", "t1" },
			func(in *Input) { in.App = strings.ToUpper(in.App) },
			func(in *Input) { in.Tenant += "/t2" },
			func(in *Input) { in.Tenant = ".." },
			func(in *Input) { in.App, in.Tenant = "platform:app0", "t0" },
			func(in *Input) { in.App += "\x00" },
		}
		v := in
		variants[i%len(variants)](&v)
		out = append(out, v)
	}
	return out
}

// expiryNows are decision times at and around every expiry in the view.
func expiryNows(v *index.View, limit int) []int64 {
	set := map[int64]bool{time.Now().UnixNano(): true}
	v.EachGrant(func(t *index.Grant) {
		if t.Expires != 0 && len(set) < limit {
			set[t.Expires-1], set[t.Expires], set[t.Expires+1] = true, true, true
		}
	})
	out := make([]int64, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func TestNativeDecisionsEqualRego(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			e := New(nil)
			if _, err := e.Load(t.Context(), datagen.Snapshot(300, seed)); err != nil {
				t.Fatal(err)
			}
			inputs := generated(300, seed)
			inputs = append(inputs, edgeInputs(inputs)...)
			allowed := sameAsRego(t, e, inputs, []int64{time.Now().UnixNano()})
			if allowed == 0 || allowed == len(inputs) {
				t.Fatalf("%d of %d allowed: the comparison needs both answers", allowed, len(inputs))
			}
			apps := map[string]int{}
			for _, in := range inputs {
				if d := e.gen.Load().view.Decide(in, time.Now().UnixNano()); in.App != "" && in.Tenant != "" {
					apps[fmt.Sprint(d.DeniedBy == nil, d.DeniedBy != nil && *d.DeniedBy == "app")]++
				}
			}
			if apps["true false"] == 0 || apps["false true"] == 0 {
				t.Fatalf("app decisions %v: the comparison needs app allows and app denials", apps)
			}
			// Around expiries, only the inputs of users holding expiring grants matter.
			sameAsRego(t, e, inputs[:150], expiryNows(e.gen.Load().view, 9))
		})
	}
}

// TestNativeDecisionsFollowChanges applies random changes and compares
// again, so views built by Apply are checked as well as loaded ones.
func TestNativeDecisionsFollowChanges(t *testing.T) {
	t.Parallel()
	e := New(nil)
	snap := datagen.Snapshot(200, 3)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	inputs := generated(200, 3)[:400]
	for round := range 4 {
		var changes []Change
		for range 40 {
			changes = append(changes, randomChange(r, snap))
		}
		if _, err := e.Apply(t.Context(), changes); err != nil {
			t.Fatal(err)
		}
		if e.gen.Load().view.Rev() != e.Revision() {
			t.Fatalf("round %d: view at revision %d, store at %d", round, e.gen.Load().view.Rev(), e.Revision())
		}
		sameAsRego(t, e, inputs, []int64{time.Now().UnixNano()})
	}
}

// randomChange deletes or rewrites a random record, group, role,
// membership, onboarding or installation of snap.
func randomChange(r *rand.Rand, snap *model.Snapshot) Change {
	bump := func(m *model.Meta) { m.Version++; m.UpdatedAt = time.Now() }
	switch r.IntN(6) {
	case 4:
		o := snap.Onboardings[r.IntN(len(snap.Onboardings))]
		switch r.IntN(3) {
		case 0:
			return Change{Collection: model.Onboardings, ID: o.ID}
		case 1: // a grant in another tenant, which the app never holds
			o.Grants = append(slices.Clone(o.Grants), model.AppGrant{Role: o.Grants[0].Role, ResourceURI: "tenants/elsewhere/apps/" + o.AppID})
		}
		o.Grants = append(slices.Clone(o.Grants), model.AppGrant{Role: model.AppRoleID(datagen.App(r.IntN(datagen.AppsCount)), "writer"),
			ResourceURI: model.TenantAppURI(o.TenantID, datagen.App(r.IntN(datagen.AppsCount)))})
		bump(&o.Meta)
		return Change{Collection: model.Onboardings, ID: o.ID, Doc: &o}
	case 0:
		rec := snap.Records[r.IntN(len(snap.Records))]
		if r.IntN(3) == 0 {
			return Change{Collection: model.Records, ID: rec.ID}
		}
		rec.Statements = slices.Clone(rec.Statements)
		rec.Statements[0].Roles = []string{fmt.Sprintf("role%d", r.IntN(40))}
		bump(&rec.Meta)
		return Change{Collection: model.Records, ID: rec.ID, Doc: &rec}
	case 1:
		g := snap.Groups[r.IntN(len(snap.Groups))]
		g.Users = append(slices.Clone(g.Users), model.UserRef{UserID: datagen.User(r.IntN(200))})
		bump(&g.Meta)
		return Change{Collection: model.Groups, ID: g.ID, Doc: &g}
	case 2:
		role := snap.Roles[r.IntN(len(snap.Roles))]
		if r.IntN(2) == 0 {
			return Change{Collection: model.Roles, ID: role.ID}
		}
		role.Permissions = []model.Permission{{Action: datagen.Action(r)}, {Action: "share:*"}}
		bump(&role.Meta)
		return Change{Collection: model.Roles, ID: role.ID, Doc: &role}
	case 3:
		m := snap.Memberships[r.IntN(len(snap.Memberships))]
		return Change{Collection: model.Memberships, ID: m.ID}
	}
	in := snap.Installations[r.IntN(len(snap.Installations))]
	in.Status = []string{model.StatusActive, model.StatusDisabled}[r.IntN(2)]
	in.ConsentedPermissions = []string{datagen.Action(r)}
	bump(&in.Meta)
	return Change{Collection: model.Installations, ID: in.ID, Doc: &in}
}

// Hook rules change the Rego decision, so decisions then run in Rego; a
// custom module in a built-in package is left out and changes nothing.
func TestCustomHooksUseRego(t *testing.T) {
	snap := datagen.Snapshot(50, 1)
	snap.Policies = []model.Policy{{Meta: model.Meta{ID: "extra"}, Source: `package gatehouse.hooks

allow contains "extra" if input.user
`}}
	e := New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	if e.gen.Load().policies.Native {
		t.Fatal("native decisions with an allow hook loaded")
	}
	i := slices.IndexFunc(generated(50, 1), func(in Input) bool {
		return in.User != "" && e.gen.Load().view.Decide(in, time.Now().UnixNano()).Allowed
	})
	if i < 0 {
		t.Fatal("no allowed input to check")
	}
	d, err := e.Decide(t.Context(), generated(50, 1)[i])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(d.Reasons, func(r Reason) bool { return r.Kind == "policy" && r.ID == "extra" }) {
		t.Fatalf("the hook's reason is missing: %+v", d)
	}

	for _, src := range []string{"package custom.rules\n\nx := 1\n", "package gatehouse.hooks\n\nhelper := 1\n",
		"package gatehouse.authz\n\nreasons contains {\"kind\": \"custom\"} if input.user\n"} {
		snap.Policies[0].Source = src
		if _, err := e.Load(t.Context(), snap); err != nil {
			t.Fatal(err)
		}
		if !e.gen.Load().policies.Native {
			t.Fatalf("%q turned native decisions off", src)
		}
	}
}

// Reasons are ordered as OPA orders a set of objects: by id first, not by
// kind, then resource and role.
func TestNativeReasonOrder(t *testing.T) {
	snap := &model.Snapshot{
		Roles: []model.Role{
			{Meta: model.Meta{ID: "writer"}, Permissions: []model.Permission{{Action: "*:chats"}}},
			{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "read"}}},
		},
		Records: []model.Record{{Meta: model.Meta{ID: "a"}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "alice"}},
			Statements: []model.Statement{{Roles: []string{"writer", "reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/A"}, {ResourceURI: "accounts/*"}}}}}},
		Memberships:   []model.Membership{{Meta: model.Meta{ID: "b"}, UserID: "alice", Context: "accounts/A", Roles: []string{"reader", "reader"}}},
		Extensions:    []model.Extension{{Meta: model.Meta{ID: "ext"}, Permissions: []string{"read:*"}}},
		Installations: []model.Installation{{Meta: model.Meta{ID: "0"}, ExtensionID: "ext", Context: "accounts/A", Status: model.StatusActive, ConsentedPermissions: []string{"read"}}},
	}
	e := New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	in := Input{User: "alice", Installation: "0", Resource: "accounts/A/chats", Permission: "read:chats"}
	sameAsRego(t, e, []Input{in}, []int64{time.Now().UnixNano()})
	want := []Reason{
		{Kind: "installation", ID: "0", Resource: "accounts/A"},
		{Kind: "record", ID: "a", Role: "reader", Resource: "accounts/*"},
		{Kind: "record", ID: "a", Role: "writer", Resource: "accounts/*"},
		{Kind: "record", ID: "a", Role: "reader", Resource: "accounts/A"},
		{Kind: "record", ID: "a", Role: "writer", Resource: "accounts/A"},
		{Kind: "membership", ID: "b", Role: "reader", Resource: "accounts/A"},
	}
	if diff := cmp.Diff(want, e.gen.Load().view.Decide(in, time.Now().UnixNano()).Reasons); diff != "" {
		t.Fatalf("reasons (-want +got):\n%s", diff)
	}
}

// documentedOrder is the order in which README and SPEC say a denial
// names its check; authz.rego writes it once, in decision's else-chain.
var documentedOrder = []string{"invalid_input", "user", "app", "installation_status", "installation_scope", "consent", "policy"}

// TestDeniedByIsFirstFailingCheck holds, over generated and edge inputs
// (with and without a deny hook), that decision.denied_by is the first
// check in the documented order that failures holds, and null exactly
// when none fails.
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
				Failures []string
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			var first *string
			for _, c := range documentedOrder {
				if slices.Contains(doc.Failures, c) {
					first = &c
					break
				}
			}
			got := doc.Decision.DeniedBy
			if (got == nil) != (first == nil) || (got != nil && *got != *first) || doc.Decision.Allowed != (first == nil) {
				t.Fatalf("%+v: decision %+v, failures %v: denied_by is not the first failing check of %v", in, doc.Decision, doc.Failures, documentedOrder)
			}
			if got != nil {
				seen[*got] = true
			} else {
				seen["allowed"] = true
			}
		}
		want := []string{"allowed", "invalid_input", "user", "app", "installation_status", "installation_scope", "consent"}
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
