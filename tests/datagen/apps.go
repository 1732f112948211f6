package datagen

import (
	"fmt"
	"math/rand/v2"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Apps in a generated data set: AppsCount apps onboarded to some of
// TenantsCount tenants, the same whatever the size and seed, so that
// AppQueries can aim at what they hold. App k requires a role of app k+1
// and, for even k, reader of app k+3; tenant t has app k onboarded unless
// (t+k)%4 == 3. App 5's admin role is inactive.
const (
	AppsCount    = 6
	TenantsCount = 3
	appVersion   = "1.0.0"
)

var appRoles = []string{"reader", "writer", "admin"}

// App returns the id of app k.
func App(k int) string { return fmt.Sprintf("platform:app%d", k) }

// Tenant returns the id of tenant t.
func Tenant(t int) string { return fmt.Sprintf("t%d", t) }

// Onboarded reports whether app k is onboarded to tenant t.
func Onboarded(t, k int) bool { return t < TenantsCount && k < AppsCount && (t+k)%4 != 3 }

// required lists the role ids app k requires.
func required(k int) []string {
	out := []string{model.AppRoleID(App((k+1)%AppsCount), appRoles[k%len(appRoles)])}
	if k%2 == 0 {
		out = append(out, model.AppRoleID(App((k+3)%AppsCount), "reader"))
	}
	return out
}

// manifest is app k's: one resource with a read, write and delete action,
// roles reader, writer and admin over them, and what it requires.
func manifest(k int) model.Manifest {
	m := model.Manifest{AppID: App(k), Resources: []model.AppResource{{
		Name: "items", ResourcePath: fmt.Sprintf(`^/v1/app%d/items(/[^/]+)?$`, k),
		AllowedHTTPMethods: []string{"GET", "POST", "DELETE"},
		Permissions: []model.RoutePermission{
			{Action: "items:read", HTTPMethod: "GET"}, {Action: "items:write", HTTPMethod: "POST"}, {Action: "items:delete", HTTPMethod: "DELETE"},
		},
	}}}
	actions := []string{"items:read", "items:write", "items:delete"}
	for i, name := range appRoles {
		r := model.AppRole{RoleName: name, Permissions: actions[:i+1]}
		if k == 5 && name == "admin" {
			r.IsActive = new(bool)
		}
		m.Roles = append(m.Roles, r)
	}
	m.RolesRequired = required(k)
	return m
}

// Apps returns the apps part of every generated data set on its own: the
// tenants, the apps' versions and roles, and the onboardings.
func Apps() *model.Snapshot {
	s := &model.Snapshot{}
	addApps(s)
	return s
}

// addApps adds the tenants, the apps' versions, their roles and the
// onboardings, as onboarding writes them (without user groups).
func addApps(s *model.Snapshot) {
	for t := range TenantsCount {
		s.Tenants = append(s.Tenants, model.Tenant{Meta: model.Meta{ID: Tenant(t)}, Name: fmt.Sprintf("Tenant %d", t)})
	}
	for k := range AppsCount {
		m := manifest(k)
		s.Apps = append(s.Apps, *model.NewAppVersion(App(k), appVersion, &m))
		for _, r := range m.Roles {
			role := model.Role{Meta: model.Meta{ID: model.AppRoleID(App(k), r.RoleName)}, Name: r.RoleName, IsActive: r.IsActive}
			for _, a := range r.Permissions {
				role.Permissions = append(role.Permissions, model.Permission{Action: a})
			}
			s.Roles = append(s.Roles, role)
		}
	}
	for t := range TenantsCount {
		for k := range AppsCount {
			if !Onboarded(t, k) {
				continue
			}
			o := model.Onboarding{Meta: model.Meta{ID: model.OnboardingID(Tenant(t), App(k))}, AppID: App(k), VersionID: appVersion, TenantID: Tenant(t)}
			for _, id := range manifest(k).RolesRequired {
				other, _, _ := model.SplitAppRoleID(id)
				o.Grants = append(o.Grants, model.AppGrant{Role: id, ResourceURI: model.TenantAppURI(Tenant(t), other)})
			}
			s.Onboardings = append(s.Onboardings, o)
		}
	}
}

// AppQueries returns n questions for apps in tenants: mostly an app
// onboarded to the tenant asking about an app it requires a role of, in
// the same tenant, and also apps or tenants without an onboarding, other
// apps' resources, other tenants' resources (cross-tenant) and actions
// the roles do not give.
func AppQueries(n int, seed uint64) []Input {
	r := rand.New(rand.NewPCG(seed, seed+3))
	out := make([]Input, n)
	for i := range out {
		t, k := r.IntN(TenantsCount+1), r.IntN(AppsCount+1) // one of each unknown
		other := (k + 1) % AppsCount
		if r.IntN(3) == 0 {
			other = r.IntN(AppsCount)
		}
		rt := t
		if r.IntN(6) == 0 {
			rt = r.IntN(TenantsCount) // often another tenant's resource
		}
		uri := model.TenantAppURI(Tenant(rt), App(other))
		switch r.IntN(4) {
		case 0:
			uri += fmt.Sprintf("/items/%d", r.IntN(10))
		case 1:
			uri = fmt.Sprintf("tenants/%s", Tenant(rt))
		}
		perm := []string{"items:read", "items:write", "items:delete", "ITEMS:Read", "items:*"}[r.IntN(5)]
		if r.IntN(8) == 0 {
			perm = Action(r)
		}
		out[i] = Input{Mode: ModeApp, App: App(k), Tenant: Tenant(t), Resource: uri, Permission: perm}
	}
	return out
}
