package sidecar

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/tests/datagen"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// TestAppSidecarsMatchGatehouse: a stock OPA with the whole bundle, and
// one with tenant t1's bundle, answer app questions as gatehouse does —
// allows, denials and cross-tenant denials. The tenant's bundle answers
// for URIs under tenants/t1, the decisions it is for, and carries t1's
// onboardings only.
func TestAppSidecarsMatchGatehouse(t *testing.T) {
	const users = 100
	_, uri := testkit.StoreWith(t, datagen.Snapshot(users, 17))
	g := testkit.StartOn(t, uri)

	data := bundleData(t, getBundle(t, g.Base+"/v1/bundles/tenants/t1", nil).Body)
	if !strings.Contains(data, `"t1/platform:app0"`) || strings.Contains(data, `"t0/platform:`) || strings.Contains(data, `"t2/platform:`) {
		t.Fatalf("tenant t1's bundle holds other tenants' onboardings or not its own: %.2000s", data)
	}

	whole := testkit.StartSidecar(t, g.Base, testkit.SidecarOptions{Resource: "/v1/bundles/gatehouse"})
	tenant := testkit.StartSidecar(t, g.Base, testkit.SidecarOptions{Resource: "/v1/bundles/tenants/t1"})
	testkit.Until(t, 60*time.Second, "the whole bundle's sidecar activates", whole.Healthy)
	testkit.Until(t, 60*time.Second, "the tenant bundle's sidecar activates", tenant.Healthy)

	type tally struct{ allowed, denied, crossTenant int }
	var all, t1 tally
	for i, q := range datagen.AppQueries(500, 9) {
		in := q.Map()
		want := g.Decide(in)
		if diff := cmp.Diff(want, whole.Decide(in), testkit.SameAnswer); diff != "" {
			t.Fatalf("check %d %v: gatehouse vs the whole bundle (-gatehouse +sidecar):\n%s", i, in, diff)
		}
		cross := !strings.HasPrefix(q.Resource, "tenants/"+q.Tenant+"/") && q.Resource != "tenants/"+q.Tenant
		if cross && want.Allowed {
			t.Fatalf("check %d %v: an app is allowed outside its tenant: %+v", i, in, want)
		}
		count := func(c *tally) {
			switch {
			case want.Allowed:
				c.allowed++
			case cross:
				c.crossTenant++
			default:
				c.denied++
			}
		}
		count(&all)
		if q.Resource != "tenants/t1" && !strings.HasPrefix(q.Resource, "tenants/t1/") {
			continue
		}
		if diff := cmp.Diff(want, tenant.Decide(in), testkit.SameAnswer); diff != "" {
			t.Fatalf("check %d %v: gatehouse vs t1's bundle (-gatehouse +sidecar):\n%s", i, in, diff)
		}
		count(&t1)
	}
	t.Logf("whole bundle: %+v; t1's bundle: %+v", all, t1)
	for name, c := range map[string]tally{"whole": all, "t1": t1} {
		if c.allowed == 0 || c.denied == 0 || c.crossTenant == 0 {
			t.Errorf("%s: %+v; the comparison needs allows, denials and cross-tenant denials", name, c)
		}
	}
}
