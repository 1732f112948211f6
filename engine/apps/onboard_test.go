package apps_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/apps"
	"github.com/gatehouse/gatehouse/engine/model"
)

const (
	pApp = "platform:participants"
	dApp = "platform:directory"
)

// summary lists changes as "op collection id", in order.
func summary(cs []apps.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Op)+" "+c.Collection+" "+c.ID)
	}
	return out
}

func onboard(t *testing.T, req apps.Request) *apps.Result {
	t.Helper()
	res, err := apps.Onboard(req)
	if err != nil {
		var v *model.ValidationError
		var c *apps.ConflictError
		switch {
		case errors.As(err, &v):
			t.Fatalf("Onboard: %v: %v", err, v.Problems)
		case errors.As(err, &c):
			t.Fatalf("Onboard: %v: %v", err, c.Problems)
		}
		t.Fatalf("Onboard: %v", err)
	}
	return res
}

func withDirectory(t *testing.T, tenant string, prev *model.AppVersion) apps.TenantState {
	return apps.TenantState{TenantID: tenant, Previous: prev, Apps: map[string]*model.Manifest{dApp: load(t, "directory.json")}}
}

func TestOnboardFirst(t *testing.T) {
	v1 := version(load(t, "participants.yaml"), "1")
	res := onboard(t, apps.Request{Version: v1, Tenants: []apps.TenantState{withDirectory(t, "t1", nil)}})
	group := "tenants/t1/apps/platform:participants/groups/participants-admins"
	if diff := cmp.Diff([]string{
		"create roles platform:participants/participants-viewer",
		"create groups " + group,
		"create records " + group,
		"create onboardings t1/platform:participants",
	}, summary(res.Changes)); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	body, _ := json.Marshal(res.Answer)
	want := `{"tenants":[{"tenantId":"t1","roles":["platform:participants/participants-viewer"],"groups":[{"id":"` + group +
		`","name":"participants-admins","roles":["platform:participants/participants-viewer"]}]}]}`
	if string(body) != want {
		t.Fatalf("answer %s\nwant   %s", body, want)
	}
	yes := true
	wantDocs := []model.Document{
		&model.Role{Meta: model.Meta{ID: pApp + "/participants-viewer"}, Name: "participants-viewer", Description: "role of app " + pApp,
			Permissions: []model.Permission{{Action: "participants.read"}}, IsActive: &yes, CanGrantToUsers: &yes, CanGrantToApps: &yes},
		&model.Group{Meta: model.Meta{ID: group}, Name: "participants-admins"},
		&model.Record{Meta: model.Meta{ID: group}, Name: "group participants-admins of app " + pApp, Status: model.StatusActive,
			Groups: []model.GroupRef{{GroupID: group}},
			Statements: []model.Statement{{Roles: []string{pApp + "/participants-viewer"},
				Resources: []model.ResourceRef{{ResourceURI: "tenants/t1/apps/" + pApp}}}}},
		&model.Onboarding{Meta: model.Meta{ID: "t1/" + pApp}, AppID: pApp, VersionID: "1", TenantID: "t1",
			Grants: []model.AppGrant{{Role: dApp + "/directory-reader", ResourceURI: "tenants/t1/apps/" + dApp}}},
	}
	for i, c := range res.Changes {
		if diff := cmp.Diff(wantDocs[i], c.Doc); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.ID, diff)
		}
		if ps := c.Doc.Validate(); len(ps) > 0 {
			t.Errorf("%s does not validate: %v", c.ID, ps)
		}
	}
}

// v2 adds an editor role to the admins group and a new editors group; v3
// drops the admins group, the viewer role and the required role.
func laterVersions(t *testing.T) (v1, v2, v3 *model.AppVersion) {
	m1 := load(t, "participants.yaml")
	m2 := load(t, "participants.yaml")
	m2.Roles = append(m2.Roles, model.AppRole{RoleName: "participants-editor", Permissions: []string{"participants.write"}})
	m2.UserGroupsRequired = []model.UserGroup{
		{GroupName: "participants-admins", Roles: []string{"participants-viewer", "participants-editor"}},
		{GroupName: "participants-editors", Roles: []string{"participants-editor"}},
	}
	m3 := load(t, "participants.yaml")
	m3.Roles = []model.AppRole{{RoleName: "participants-editor", Permissions: []string{"participants.write"}}}
	m3.RolesRequired = nil
	m3.UserGroupsRequired = []model.UserGroup{{GroupName: "participants-editors", Roles: []string{"participants-editor"}}}
	return version(m1, "1"), version(m2, "2"), version(m3, "3")
}

func TestReonboard(t *testing.T) {
	v1, v2, v3 := laterVersions(t)
	g := func(name string) string { return "tenants/t1/apps/platform:participants/groups/" + name }
	res := onboard(t, apps.Request{Version: v2, Tenants: []apps.TenantState{withDirectory(t, "t1", v1)}})
	// The admins group survives untouched (its users stay); its record
	// gains the editor role.
	if diff := cmp.Diff([]string{
		"create roles platform:participants/participants-editor",
		"create groups " + g("participants-editors"),
		"update records " + g("participants-admins"),
		"create records " + g("participants-editors"),
		"update onboardings t1/platform:participants",
	}, summary(res.Changes)); diff != "" {
		t.Fatalf("v1 -> v2 (-want +got):\n%s", diff)
	}
	res = onboard(t, apps.Request{Version: v3, Tenants: []apps.TenantState{withDirectory(t, "t1", v2)}})
	if diff := cmp.Diff([]string{
		"update onboardings t1/platform:participants",
		"delete records " + g("participants-admins"),
		"delete groups " + g("participants-admins"),
		"delete roles platform:participants/participants-viewer",
	}, summary(res.Changes)); diff != "" {
		t.Fatalf("v2 -> v3 (-want +got):\n%s", diff)
	}
	if got := res.Changes[0].Doc.(*model.Onboarding); got.VersionID != "3" || got.Grants != nil {
		t.Fatalf("onboarding after v3: %+v", got)
	}
	res = onboard(t, apps.Request{Version: v3, Tenants: []apps.TenantState{withDirectory(t, "t1", v3)}})
	if len(res.Changes) != 0 {
		t.Fatalf("onboarding the same version again changes %v", summary(res.Changes))
	}
}

func TestOnboardStack(t *testing.T) {
	v1 := version(load(t, "participants.yaml"), "1")
	res := onboard(t, apps.Request{Version: v1, Tenants: []apps.TenantState{withDirectory(t, "t1", nil), withDirectory(t, "t2", nil)}})
	g := func(tenant string) string {
		return "tenants/" + tenant + "/apps/platform:participants/groups/participants-admins"
	}
	if diff := cmp.Diff([]string{
		"create roles platform:participants/participants-viewer",
		"create groups " + g("t1"), "create groups " + g("t2"),
		"create records " + g("t1"), "create records " + g("t2"),
		"create onboardings t1/platform:participants", "create onboardings t2/platform:participants",
	}, summary(res.Changes)); diff != "" {
		t.Fatalf("stack (-want +got):\n%s", diff)
	}
	// Per tenant: t2's group holds its roles on t2's app only.
	rec := res.Changes[4].Doc.(*model.Record)
	if rec.Statements[0].Resources[0].ResourceURI != "tenants/t2/apps/"+pApp || rec.Groups[0].GroupID != g("t2") {
		t.Fatalf("t2's record: %+v", rec)
	}
	if len(res.Answer.Tenants) != 2 || res.Answer.Tenants[1].Groups[0].ID != g("t2") {
		t.Fatalf("answer: %+v", res.Answer)
	}
}

func TestOnboardSharedRoles(t *testing.T) {
	v1, v2, _ := laterVersions(t)
	elsewhere := map[string]*model.AppVersion{"t2": v1}
	// v2 keeps the viewer role as v1 defines it: only the editor is new.
	res := onboard(t, apps.Request{Version: v2, Tenants: []apps.TenantState{withDirectory(t, "t1", v1)}, Elsewhere: elsewhere})
	if got := summary(res.Changes)[0]; got != "create roles platform:participants/participants-editor" {
		t.Fatalf("first change %q", got)
	}
	// A version redefining viewer while t2 holds v1 conflicts.
	v4 := version(load(t, "participants.yaml"), "4")
	v4.Manifest.Roles[0].Permissions = []string{"participants.write"}
	_, err := apps.Onboard(apps.Request{Version: v4, Tenants: []apps.TenantState{withDirectory(t, "t1", v1)}, Elsewhere: elsewhere})
	var c *apps.ConflictError
	if !errors.As(err, &c) || !errors.Is(err, apps.ErrConflict) || len(c.Problems) != 1 {
		t.Fatalf("redefining a role t2 holds: %v", err)
	}
	checkProblems(t, c.Problems, []want{{"manifest.roles", `redefines role "platform:participants/participants-viewer", which tenant t2 holds`}})
	// Offboarding t1 keeps the roles t2 holds.
	res, err = apps.Offboard(pApp, []apps.TenantState{withDirectory(t, "t1", v1)}, elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{
		"delete onboardings t1/platform:participants",
		"delete records tenants/t1/apps/platform:participants/groups/participants-admins",
		"delete groups tenants/t1/apps/platform:participants/groups/participants-admins",
	}, summary(res.Changes)); diff != "" {
		t.Fatalf("offboard t1 (-want +got):\n%s", diff)
	}
	res, err = apps.Offboard(pApp, []apps.TenantState{withDirectory(t, "t1", v1)}, nil)
	if err != nil || summary(res.Changes)[3] != "delete roles platform:participants/participants-viewer" {
		t.Fatalf("offboarding the last tenant: %v, %v", summary(res.Changes), err)
	}
}

func TestOnboardRefuses(t *testing.T) {
	p := load(t, "participants.yaml")
	dir := load(t, "directory.json")
	noReader := load(t, "directory.json")
	noReader.Roles = noReader.Roles[1:]
	admin := load(t, "participants.yaml")
	admin.RolesRequired = []string{dApp + "/directory-admin"}
	bad := load(t, "participants.yaml")
	bad.Roles[0].Permissions = []string{"nope"}
	requires := map[string]*model.Manifest{pApp: p}
	tests := []struct {
		name     string
		req      apps.Request
		conflict bool
		want     []want
	}{
		{"required app not onboarded", apps.Request{Version: version(p, "1"), Tenants: []apps.TenantState{{TenantID: "t1"}}},
			true, []want{{"rolesRequired[0]", "app platform:directory is not onboarded to tenant t1"}}},
		{"required role undefined", apps.Request{Version: version(p, "1"), Tenants: []apps.TenantState{{TenantID: "t1", Apps: map[string]*model.Manifest{dApp: noReader}}}},
			true, []want{{"rolesRequired[0]", `defines no role "directory-reader"`}}},
		{"required role apps may not hold", apps.Request{Version: version(admin, "1"), Tenants: []apps.TenantState{{TenantID: "t1", Apps: map[string]*model.Manifest{dApp: dir}}}},
			false, []want{{"rolesRequired[0]", `"platform:directory/directory-admin" has canGrantToApps: false`}}},
		{"a dependent loses its role", apps.Request{Version: version(noReader, "2"), Tenants: []apps.TenantState{{TenantID: "t1", Previous: version(dir, "1"), Apps: requires}}},
			true, []want{{"rolesRequired[0]", "app platform:participants requires \"platform:directory/directory-reader\" in tenant t1, but version 2 does not define it"}}},
		{"invalid manifest", apps.Request{Version: version(bad, "1"), Tenants: []apps.TenantState{withDirectory(t, "t1", nil)}},
			false, []want{{"manifest.roles[0].permissions[0]", "not an action"}}},
		{"tenant ids", apps.Request{Version: version(p, "1"), Tenants: []apps.TenantState{{TenantID: "a/b"}, {TenantID: ".."}, {TenantID: ""}, {TenantID: "t"}, {TenantID: "t"}}},
			false, []want{{"tenants[0]", "one URI segment"}, {"tenants[1]", "segment"}, {"tenants[2]", "is required"}, {"tenants[4]", "repeats"}}},
		{"no tenants", apps.Request{Version: version(p, "1")}, false, []want{{"tenants", "is empty"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := apps.Onboard(tt.req)
			var v *model.ValidationError
			var c *apps.ConflictError
			switch {
			case tt.conflict && errors.As(err, &c):
				checkProblems(t, c.Problems, tt.want)
			case !tt.conflict && errors.As(err, &v) && errors.Is(err, model.ErrInvalid):
				checkProblems(t, v.Problems, tt.want)
			default:
				t.Fatalf("Onboard = %v; want a conflict: %v", err, tt.conflict)
			}
		})
	}
}

func TestOffboardRefuses(t *testing.T) {
	dir := version(load(t, "directory.json"), "1")
	tenant := apps.TenantState{TenantID: "t1", Previous: dir, Apps: map[string]*model.Manifest{pApp: load(t, "participants.yaml")}}
	_, err := apps.Offboard(dApp, []apps.TenantState{tenant}, nil)
	var c *apps.ConflictError
	if !errors.As(err, &c) {
		t.Fatalf("offboarding an app another requires: %v", err)
	}
	checkProblems(t, c.Problems, []want{{"rolesRequired[0]", "offboarding would remove it"}})
	if p := c.Problems[0]; p.Collection != model.Onboardings || p.ID != "t1/"+pApp {
		t.Fatalf("the problem names %s/%s, want the dependent onboarding", p.Collection, p.ID)
	}
	_, err = apps.Offboard(dApp, []apps.TenantState{{TenantID: "t9"}}, nil)
	if !errors.Is(err, apps.ErrNotOnboarded) {
		t.Fatalf("offboarding an app not onboarded: %v", err)
	}
	if _, err := apps.Onboard(apps.Request{}); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("onboarding no version: %v", err)
	}
}
