package index

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
)

func appSnapshot() *model.Snapshot {
	return &model.Snapshot{
		Roles: []model.Role{{Meta: model.Meta{ID: "platform:dir/reader"}, Permissions: []model.Permission{{Action: "items:read"}}}},
		Onboardings: []model.Onboarding{
			{Meta: model.Meta{ID: "t1/platform:x"}, AppID: "platform:x", VersionID: "1", TenantID: "t1", Grants: []model.AppGrant{
				{Role: "platform:dir/reader", ResourceURI: "tenants/t1/apps/platform:dir"},
				{Role: "platform:dir/reader", ResourceURI: "tenants/t2/apps/platform:dir"}, // never held: another tenant
				{Role: "platform:dir/reader", ResourceURI: "tenants/*/apps/platform:any"},  // nor this
			}},
			// An _id that is not tenantId/appId is never looked up, and gives nothing.
			{Meta: model.Meta{ID: "t1/platform:y"}, AppID: "platform:z", VersionID: "1", TenantID: "t1", Grants: []model.AppGrant{
				{Role: "platform:dir/reader", ResourceURI: "tenants/t1/apps/platform:dir"},
			}},
		},
	}
}

func TestAppsAreFiledByOnboarding(t *testing.T) {
	_, v := Build(appSnapshot(), 1)
	want := map[string]any{"t1/platform:x": map[string]any{"by_prefix": map[string]any{
		"tenants/t1/apps/platform:dir": []any{[]any{"onboarding", "t1/platform:x", "platform:dir/reader", "tenants/t1/apps/platform:dir", json.Number("0")}},
	}}}
	if diff := cmp.Diff(want, v.JSON()["apps"]); diff != "" {
		t.Fatalf("apps (-want +got):\n%s", diff)
	}
}

func TestAppDecisions(t *testing.T) {
	ix, v := Build(appSnapshot(), 1)
	now := time.Now().UnixNano()
	in := Input{App: "platform:x", Tenant: "t1", Resource: "tenants/t1/apps/platform:dir/items/1", Permission: "Items:Read"}
	want := Decision{Allowed: true, Revision: 1, Reasons: []Reason{
		{Kind: KindOnboarding, ID: "t1/platform:x", Role: "platform:dir/reader", Resource: "tenants/t1/apps/platform:dir"},
	}}
	if diff := cmp.Diff(want, v.Decide(in, now)); diff != "" {
		t.Fatalf("allowed (-want +got):\n%s", diff)
	}
	denied := func(v *View, in Input, side string) {
		t.Helper()
		if d := v.Decide(in, now); d.Allowed || d.DeniedBy == nil || *d.DeniedBy != side {
			t.Errorf("%+v: %+v, want denied by %s", in, d, side)
		}
	}
	for _, in := range []Input{
		{App: "platform:x", Tenant: "t1", Resource: "tenants/t1/apps/platform:dir", Permission: "items:write"},
		{App: "platform:x", Tenant: "t1", Resource: "tenants/t2/apps/platform:dir", Permission: "items:read"},
		{App: "platform:x", Tenant: "t2", Resource: "tenants/t2/apps/platform:dir", Permission: "items:read"},
		{App: "platform:x", Tenant: "t1", Resource: "tenants/t1/apps/platform:any", Permission: "items:read"},
		{App: "platform:y", Tenant: "t1", Resource: "tenants/t1/apps/platform:dir", Permission: "items:read"},
		{App: "platform:z", Tenant: "t1", Resource: "tenants/t1/apps/platform:dir", Permission: "items:read"},
	} {
		denied(v, in, "app")
	}
	for _, in := range []Input{
		{App: "platform:x", Resource: "tenants/t1", Permission: "items:read"},
		{Tenant: "t1", Resource: "tenants/t1", Permission: "items:read"},
		{User: "u1", App: "platform:x", Tenant: "t1", Resource: "tenants/t1", Permission: "items:read"},
		{Installation: "i1", App: "platform:x", Tenant: "t1", Resource: "tenants/t1", Permission: "items:read"},
		{App: "Platform:x", Tenant: "t1", Resource: "tenants/t1", Permission: "items:read"},
		{App: "platform:x", Tenant: "t1/x", Resource: "tenants/t1", Permission: "items:read"},
	} {
		denied(v, in, "invalid_input")
		if len(in.Validate()) == 0 {
			t.Errorf("%+v: Validate finds no problem", in)
		}
	}

	// Apply follows the onboarding: offboarded, the app holds nothing.
	next, _ := ix.Apply(v, []Change{{Collection: model.Onboardings, ID: "t1/platform:x"}})
	denied(next, in, "app")
	if v.Decide(in, now).DeniedBy != nil {
		t.Error("Apply changed the view it started from")
	}
	o := appSnapshot().Onboardings[0]
	o.TenantID, o.ID = "t2", "t2/platform:x"
	o.Grants = []model.AppGrant{{Role: "platform:dir/reader", ResourceURI: "tenants/t2/apps/platform:dir"}}
	next, _ = ix.Apply(next, []Change{{Collection: model.Onboardings, ID: o.ID, Doc: &o}})
	denied(next, in, "app")
	in.Tenant, in.Resource = "t2", "tenants/t2/apps/platform:dir"
	if d := next.Decide(in, now); !d.Allowed {
		t.Errorf("onboarded to t2: %+v", d)
	}
}
