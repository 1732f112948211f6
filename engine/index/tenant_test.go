package index

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
)

func TestReaches(t *testing.T) {
	scope := []string{"tenants", "t1"}
	tests := []struct {
		pattern []string
		want    bool
	}{
		{[]string{"tenants"}, true},
		{[]string{"tenants", "t1"}, true},
		{[]string{"tenants", "t1", "docs"}, true},
		{[]string{"tenants", "*", "docs"}, true},
		{[]string{"*"}, true},
		{[]string{"tenants", "t2"}, false},
		{[]string{"accounts", "t1"}, false},
	}
	for _, tt := range tests {
		if got := reaches(tt.pattern, scope); got != tt.want {
			t.Errorf("reaches(%v) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func TestWithinKeepsOnlyWhatReachesIt(t *testing.T) {
	record := func(id, role, uri string, users []model.UserRef, groups []model.GroupRef) model.Record {
		return model.Record{Meta: model.Meta{ID: id}, Status: model.StatusActive, Users: users, Groups: groups,
			Statements: []model.Statement{{Roles: []string{role}, Resources: []model.ResourceRef{{ResourceURI: uri}}}}}
	}
	perm := func(a string) []model.Permission { return []model.Permission{{Action: a}} }
	snap := &model.Snapshot{
		Roles: []model.Role{{Meta: model.Meta{ID: "reader"}, Permissions: perm("read")},
			{Meta: model.Meta{ID: "writer"}, Permissions: perm("write")}, {Meta: model.Meta{ID: "unused"}, Permissions: perm("x")},
			{Meta: model.Meta{ID: "app-role"}, Permissions: perm("y")}},
		Records: []model.Record{
			record("r1", "reader", "tenants/t1/docs", []model.UserRef{{UserID: "ann"}}, nil),                          // mine
			record("r2", "reader", "tenants/t2", []model.UserRef{{UserID: "bea"}}, []model.GroupRef{{GroupID: "g2"}}), // theirs
			record("r3", "writer", "tenants/*/x", []model.UserRef{{UserID: "cid"}}, nil),                              // wild
		},
		Groups:     []model.Group{{Meta: model.Meta{ID: "g2"}, Users: []model.UserRef{{UserID: "bea"}}}},
		Extensions: []model.Extension{{Meta: model.Meta{ID: "e1"}, Permissions: []string{"read"}}, {Meta: model.Meta{ID: "e2"}, Permissions: []string{"read"}}},
		Installations: []model.Installation{
			{Meta: model.Meta{ID: "i1"}, ExtensionID: "e1", Context: "tenants/t1", Status: model.StatusActive},
			{Meta: model.Meta{ID: "i2"}, ExtensionID: "e2", Context: "tenants/t2", Status: model.StatusActive},
		},
		Apps: []model.AppVersion{*model.NewAppVersion("p:a", "1", routesManifest("p:a", "^/a$"))},
		Onboardings: []model.Onboarding{
			onboarding("t1", "p:a", "1"), onboarding("t2", "p:a", "1"),
			{Meta: model.Meta{ID: "t1/platform:x"}, AppID: "platform:x", TenantID: "t1", Grants: []model.AppGrant{{Role: "app-role", ResourceURI: "tenants/t1/apps/platform:y"}}},
			{Meta: model.Meta{ID: "t2/platform:x"}, AppID: "platform:x", TenantID: "t2", Grants: []model.AppGrant{{Role: "reader", ResourceURI: "tenants/t2/apps/platform:y"}}},
		},
	}
	_, v := Build(snap, 1)
	full := v.JSON()
	pick := func(key string, ids ...string) map[string]any {
		out := map[string]any{}
		for _, id := range ids {
			out[id] = full[key].(map[string]any)[id]
		}
		return out
	}
	want := map[string]any{
		"users":         pick("users", "ann", "cid"),
		"groups":        map[string]any{},
		"apps":          pick("apps", "t1/platform:x"),
		"roles":         pick("roles", "reader", "writer", "app-role"),
		"installations": pick("installations", "i1"),
		"extensions":    pick("extensions", "e1"),
		"routes":        pick("routes", "t1"),
	}
	if diff := cmp.Diff(want, v.Within([]string{"tenants", "t1"}).JSON()); diff != "" {
		t.Errorf("Within (-want +got):\n%s", diff)
	}
}
