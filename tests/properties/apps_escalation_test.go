package properties

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// The app side of the escalation properties: over generated stores whose
// onboardings hold grants in their own tenant, in other tenants, under
// "*" tenants and above all tenants,
//
//   - an app in a tenant is allowed exactly what that tenant's onboarding
//     of the app gives it in that tenant (the oracle below), natively and
//     in Rego alike;
//   - it never gains anything another tenant's onboarding holds: replacing
//     or removing every other tenant's onboardings changes none of its
//     decisions (checked for one tenant of each store);
//   - an allow's reasons are that onboarding's grants, under the tenant.
//
// Stores: a hundredth of the escalation test's case count (-escalation.cases,
// GATEHOUSE_PROPERTY_CASES), seed -escalation.seed.

var (
	isoApps      = []string{"platform:a", "platform:b", "platform:c"}
	isoTenants   = []string{"ta", "tb", "tc"}
	isoActions   = []string{"items:read", "items:write", "chats:read"}
	isoResources = []string{"tenants/%s", "tenants/%s/apps/platform:a", "tenants/%s/apps/platform:b/items/1", "tenants/%s/apps/platform:c", "accounts/A"}
	isoGrants    = []string{"tenants/%s/apps/platform:a", "tenants/%s/apps/platform:b", "tenants/%s", "tenants/*/apps/platform:c", "tenants", "accounts"}
	isoPatterns  = []string{"items:read", "items:*", "*", "*:read", "chats:read"}
)

func TestAppTenantIsolation(t *testing.T) {
	seed := *escalationSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	stores := max(1, escalationCaseCount(t)/100)
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	ctx := t.Context()
	allowed, total := 0, 0
	native, rego, elsewhere := isoEngine(false), isoEngine(true), isoEngine(false)
	for n := range stores {
		snap := isoStore(rng)
		isoLoad(t, native, snap)
		isoLoad(t, rego, snap)
		// The same store with every tenant's onboardings but focus's replaced.
		tenants := append(slices.Clone(isoTenants), "tz")
		focus := pick(rng, tenants)
		other := isoStore(rng)
		other.Onboardings = isoOnly(other.Onboardings, focus, false)
		other.Onboardings = append(other.Onboardings, isoOnly(snap.Onboardings, focus, true)...)
		other.Roles = snap.Roles
		isoLoad(t, elsewhere, other)
		for _, tenant := range tenants {
			for _, app := range isoApps {
				for _, rt := range isoTenants {
					for _, res := range isoResources {
						for _, action := range isoActions {
							in := engine.Input{App: app, Tenant: tenant, Resource: strings.ReplaceAll(res, "%s", rt), Permission: action}
							d := isoDecide(t, ctx, native, in)
							total++
							if d.Allowed {
								allowed++
							}
							fail := func(msg string) {
								t.Fatalf("seed %d store %d (rerun with -args -escalation.seed=%d): %+v: %s\nstore: %+v", seed, n, seed, in, msg, snap.Onboardings)
							}
							if want := isoOracle(snap, in); d.Allowed != want {
								fail(fmt.Sprintf("decided %+v, the onboarding says %v", d, want))
							}
							if total%3 == 0 { // Rego costs most; a third suffices
								if r := isoDecide(t, ctx, rego, in); !cmp.Equal(d, r, testkit.SameAnswer) {
									fail(fmt.Sprintf("native %+v, Rego %+v", d, r))
								}
							}
							if tenant == focus {
								if e := isoDecide(t, ctx, elsewhere, in); !cmp.Equal(d, e, testkit.SameAnswer) {
									fail(fmt.Sprintf("%+v, but %+v with other tenants' onboardings changed", d, e))
								}
							}
							for _, r := range d.Reasons {
								if r.Kind != "onboarding" || r.ID != model.OnboardingID(tenant, app) ||
									r.Resource != "tenants/"+tenant && !strings.HasPrefix(r.Resource, "tenants/"+tenant+"/") {
									fail(fmt.Sprintf("reason %+v is not the onboarding's grant in its tenant", r))
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("seed %d: %d stores, %d app decisions, %d allowed", seed, stores, total, allowed)
	if allowed == 0 || allowed == total {
		t.Errorf("seed %d: %d of %d allowed; the property needs both", seed, allowed, total)
	}
}

// isoStore generates roles and onboardings of random apps to random
// tenants, each with grants in and out of its tenant.
func isoStore(rng *rand.Rand) *model.Snapshot {
	s := &model.Snapshot{}
	for _, id := range escRoles {
		r := model.Role{Meta: model.Meta{ID: id}, Name: id, Permissions: []model.Permission{{Action: pick(rng, isoPatterns)}}}
		if chance(rng, 0.1) {
			r.IsActive = new(bool)
		}
		s.Roles = append(s.Roles, r)
	}
	for _, tenant := range isoTenants {
		for _, app := range isoApps {
			if chance(rng, 0.3) {
				continue
			}
			o := model.Onboarding{Meta: model.Meta{ID: model.OnboardingID(tenant, app)}, AppID: app, VersionID: "1", TenantID: tenant}
			for range 1 + rng.IntN(3) {
				where := tenant
				if chance(rng, 0.3) {
					where = pick(rng, isoTenants)
				}
				o.Grants = append(o.Grants, model.AppGrant{Role: pick(rng, escRoles), ResourceURI: strings.ReplaceAll(pick(rng, isoGrants), "%s", where)})
			}
			s.Onboardings = append(s.Onboardings, o)
		}
	}
	return s
}

// isoOnly keeps the onboardings of tenant (keep true) or of the others.
func isoOnly(onboardings []model.Onboarding, tenant string, keep bool) []model.Onboarding {
	var out []model.Onboarding
	for _, o := range onboardings {
		if (o.TenantID == tenant) == keep {
			out = append(out, o)
		}
	}
	return out
}

// isoEngine is an engine without a decision cache, deciding natively or
// in Rego.
func isoEngine(rego bool) *engine.Engine {
	return engine.NewWithOptions(nil, engine.Options{RegoDecisions: rego})
}

func isoLoad(t *testing.T, e *engine.Engine, snap *model.Snapshot) {
	t.Helper()
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
}

func isoDecide(t *testing.T, ctx context.Context, e *engine.Engine, in engine.Input) engine.Decision {
	t.Helper()
	d, err := e.Decide(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// isoOracle reads the store plainly: the app is allowed when the tenant's
// onboarding of it has a grant on a URI under tenants/{tenant} covering
// the resource, with an active role allowing the action.
func isoOracle(snap *model.Snapshot, in engine.Input) bool {
	roles := map[string]model.Role{}
	for _, r := range snap.Roles {
		roles[r.ID] = r
	}
	act, _ := model.ActionSegments(in.Permission)
	res, _ := model.URISegments(in.Resource)
	for _, o := range snap.Onboardings {
		if o.TenantID != in.Tenant || o.AppID != in.App {
			continue
		}
		for _, g := range o.Grants {
			pat, err := model.URISegments(g.ResourceURI)
			role, ok := roles[g.Role]
			if err != nil || len(pat) < 2 || pat[0] != "tenants" || pat[1] != in.Tenant || !ok || !role.Active() || !model.Covers(pat, res) {
				continue
			}
			for _, p := range role.Permissions {
				if segs, err := model.PatternSegments(p.Action); err == nil && p.Allows() && model.Covers(segs, act) {
					return true
				}
			}
		}
	}
	return false
}
