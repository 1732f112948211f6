package apps

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Errors Onboard and Offboard return, wrapped or through Unwrap.
var (
	// ErrConflict is matched by errors.Is for a *ConflictError (409).
	ErrConflict = errors.New("onboarding conflicts with the current onboardings")
	// ErrNotOnboarded is wrapped when offboarding an app from a tenant it
	// is not onboarded to (404).
	ErrNotOnboarded = errors.New("app not onboarded to the tenant")
)

// The stored documents are model documents: validated, with common fields.
var (
	_ model.Document = (*model.AppVersion)(nil)
	_ model.Document = (*model.Onboarding)(nil)
)

// ConflictError lists why an onboarding cannot be made given what is
// onboarded now (a required app missing, a role another app needs
// dropped, a shared role redefined); nothing was planned. It maps to 409.
type ConflictError struct{ Problems []model.Problem }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%d conflict(s) with the current onboardings", len(e.Problems))
}

// Unwrap lets errors.Is(err, ErrConflict) match.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// TenantState is what onboarding needs to know about one tenant.
type TenantState struct {
	TenantID string
	// Previous is the version of this app onboarded there now; nil if none.
	Previous *model.AppVersion
	// Apps are the manifests of the other apps onboarded there (the
	// versions onboarded there), by app id: the apps this one requires
	// roles of, and the apps that require roles of this one.
	Apps map[string]*model.Manifest
}

// Request asks to onboard one version to one or more tenants (a stack's).
type Request struct {
	Version *model.AppVersion
	Tenants []TenantState
	// Elsewhere are this app's versions onboarded to tenants outside the
	// request, by tenant id. App roles are shared by every tenant, so a
	// version may not redefine a role that one of them holds.
	Elsewhere map[string]*model.AppVersion
}

// Result is what an onboarding writes and what it answers.
type Result struct {
	// Changes are the documents to write, in an order that writes a
	// document after those it names and deletes it before them; they
	// are to be applied together, as one change.
	Changes []Change
	Answer  Answer
}

// Answer is the body POST /v1/apps/{appId}/onboard answers with.
type Answer struct {
	Tenants []TenantAnswer `json:"tenants"`
}

// TenantAnswer lists the roles and groups a tenant holds from the app.
type TenantAnswer struct {
	TenantID string        `json:"tenantId"`
	Roles    []string      `json:"roles"`
	Groups   []GroupAnswer `json:"groups"`
}

// GroupAnswer is one group an onboarding gave a tenant.
type GroupAnswer struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// Onboard compiles req.Version into the core model for each tenant of
// req and lists the changes from each tenant's previous onboarding of the
// app: whatever the new version dropped is deleted, groups that remain
// keep their users, and a role is deleted only when no tenant holds it
// any more. It returns a *model.ValidationError (422) for an invalid
// version or tenant list, or for a role the version requires that the
// other app does not let apps hold (canGrantToApps: false), listing every
// problem, conflicts included; otherwise a *ConflictError (409) when the
// tenants' other onboardings stand in the way.
func Onboard(req Request) (*Result, error) {
	v := req.Version
	if v == nil {
		return nil, &model.ValidationError{Problems: []model.Problem{{Field: "versionId", Message: "is required"}}}
	}
	var invalid, conflicts []model.Problem
	for _, p := range v.Validate() {
		p.Collection, p.ID = model.Apps, v.ID
		invalid = append(invalid, p)
	}
	invalid = append(invalid, tenantProblems(v.AppID, req.Tenants)...)
	if len(invalid) > 0 {
		return nil, &model.ValidationError{Problems: invalid}
	}
	for _, t := range req.Tenants {
		inv, con := requiredProblems(t, &v.Manifest)
		invalid, conflicts = append(invalid, inv...), append(conflicts, con...)
		conflicts = append(conflicts, dependentProblems(t, v.AppID, &v.Manifest, v.VersionID)...)
	}
	roles, con := roleChanges(v, req)
	conflicts = append(conflicts, con...)
	if err := refusal(invalid, conflicts); err != nil {
		return nil, err
	}
	res := &Result{Changes: roles}
	for _, t := range req.Tenants {
		next := planTenant(t.TenantID, v)
		res.Changes = append(res.Changes, diffTenant(previousDocs(t), next)...)
		res.Answer.Tenants = append(res.Answer.Tenants, answer(t.TenantID, v))
	}
	sortChanges(res.Changes)
	return res, nil
}

// Offboard lists the changes that remove everything onboarding appID
// wrote to the tenants (DELETE /v1/apps/{appId}/onboardings/{tenantId}),
// the shared roles only when no tenant in elsewhere holds them. It returns
// an error wrapping ErrNotOnboarded for a tenant without a Previous
// version, a *model.ValidationError for an invalid tenant list, and a
// *ConflictError while another app onboarded there requires a role of
// this one.
func Offboard(appID string, tenants []TenantState, elsewhere map[string]*model.AppVersion) (*Result, error) {
	var conflicts []model.Problem
	invalid := tenantProblems(appID, tenants)
	for _, t := range tenants {
		if t.Previous == nil && len(invalid) == 0 {
			return nil, fmt.Errorf("%w: app %s, tenant %s", ErrNotOnboarded, appID, t.TenantID)
		}
		conflicts = append(conflicts, dependentProblems(t, appID, nil, "")...)
	}
	if err := refusal(invalid, conflicts); err != nil {
		return nil, err
	}
	roles, _ := roleChanges(nil, Request{Tenants: tenants, Elsewhere: elsewhere})
	res := &Result{Changes: roles}
	for _, t := range tenants {
		res.Changes = append(res.Changes, diffTenant(previousDocs(t), nil)...)
	}
	sortChanges(res.Changes)
	return res, nil
}

func refusal(invalid, conflicts []model.Problem) error {
	switch {
	case len(invalid) > 0:
		return &model.ValidationError{Problems: append(invalid, conflicts...)}
	case len(conflicts) > 0:
		return &ConflictError{Problems: conflicts}
	}
	return nil
}

func previousDocs(t TenantState) *tenantDocs {
	if t.Previous == nil {
		return nil
	}
	return planTenant(t.TenantID, t.Previous)
}

func answer(t string, v *model.AppVersion) TenantAnswer {
	out := TenantAnswer{TenantID: t, Roles: []string{}, Groups: []GroupAnswer{}}
	for _, r := range v.Manifest.Roles {
		out.Roles = append(out.Roles, model.AppRoleID(v.AppID, r.RoleName))
	}
	for _, g := range v.Manifest.UserGroupsRequired {
		out.Groups = append(out.Groups, GroupAnswer{
			ID: model.AppGroupID(t, v.AppID, g.GroupName), Name: g.GroupName, Roles: roleIDs(v.AppID, g.Roles),
		})
	}
	return out
}

// tenantProblems checks the tenant list: at least one, each id one URI
// segment, none twice, the ids built from it valid.
func tenantProblems(appID string, tenants []TenantState) []model.Problem {
	var ps model.Problems
	if len(tenants) == 0 {
		ps.Add("tenants", "is empty: name a tenant, or a stack with tenants")
	}
	seen := map[string]bool{}
	for i, t := range tenants {
		f := fmt.Sprintf("tenants[%d]", i)
		if err := model.CheckTenantID(t.TenantID); err != nil {
			ps.Add(f, "tenant id %q: %v", t.TenantID, err)
		} else if err := model.CheckID(model.AppGroupID(t.TenantID, appID, "")); err != nil {
			ps.Add(f, "tenant id %q: the ids built from it are %v", t.TenantID, err)
		}
		if seen[t.TenantID] {
			ps.Add(f, "repeats tenant %q", t.TenantID)
		}
		seen[t.TenantID] = true
	}
	return ps.List()
}

// requiredProblems resolves m's rolesRequired in tenant t: each other app
// must be onboarded there and define the role (else a conflict), and the
// role must let apps hold it (else invalid).
func requiredProblems(t TenantState, m *model.Manifest) (invalid, conflicts []model.Problem) {
	at := func(i int, format string, args ...any) model.Problem {
		return model.Problem{Collection: model.Onboardings, ID: model.OnboardingID(t.TenantID, m.AppID),
			Field: fmt.Sprintf("rolesRequired[%d]", i), Message: fmt.Sprintf(format, args...)}
	}
	for i, id := range m.RolesRequired {
		app, name, _ := model.SplitAppRoleID(id)
		if app == m.AppID {
			continue // checked by Validate
		}
		other := t.Apps[app]
		if other == nil {
			conflicts = append(conflicts, at(i, "%q: app %s is not onboarded to tenant %s: onboard it first", id, app, t.TenantID))
			continue
		}
		switch r := findRole(other, name); {
		case r == nil:
			conflicts = append(conflicts, at(i, "%q: app %s as onboarded to tenant %s defines no role %q", id, app, t.TenantID, name))
		case !model.GrantsToApps(r):
			invalid = append(invalid, at(i, "%q has canGrantToApps: false: app %s does not let other apps hold it", id, app))
		}
	}
	return invalid, conflicts
}

// dependentProblems lists the other apps onboarded to t that require a
// role of appID which m (nil when offboarding) does not define or does not
// let apps hold.
func dependentProblems(t TenantState, appID string, m *model.Manifest, versionID string) []model.Problem {
	var out []model.Problem
	for _, other := range slices.Sorted(maps.Keys(t.Apps)) {
		om := t.Apps[other]
		if other == appID || om == nil {
			continue
		}
		for i, id := range om.RolesRequired {
			app, name, _ := model.SplitAppRoleID(id)
			if app != appID {
				continue
			}
			why := breaks(m, name, versionID)
			if why == "" {
				continue
			}
			out = append(out, model.Problem{Collection: model.Onboardings, ID: model.OnboardingID(t.TenantID, other),
				Field: fmt.Sprintf("rolesRequired[%d]", i), Message: fmt.Sprintf("app %s requires %q in tenant %s, but %s", other, id, t.TenantID, why)})
		}
	}
	return out
}

// breaks says why m (nil when offboarding) no longer gives apps the role
// name, or "" when it does.
func breaks(m *model.Manifest, name, versionID string) string {
	if m == nil {
		return "offboarding would remove it"
	}
	switch r := findRole(m, name); {
	case r == nil:
		return fmt.Sprintf("version %s does not define it", versionID)
	case !model.GrantsToApps(r):
		return fmt.Sprintf("version %s gives it canGrantToApps: false", versionID)
	}
	return ""
}

func findRole(m *model.Manifest, name string) *model.AppRole {
	for i := range m.Roles {
		if m.Roles[i].RoleName == name {
			return &m.Roles[i]
		}
	}
	return nil
}

// roleChanges lists the changes to the app's shared roles when the
// request's tenants move to next (nil when offboarding): a role no tenant
// held is created, one whose definition changes is updated, one no tenant
// holds any more is deleted. A role that a tenant outside the request
// holds with another definition is a conflict.
func roleChanges(next *model.AppVersion, req Request) ([]Change, []model.Problem) {
	held := map[string]*model.Role{} // roles in the store now
	for _, t := range req.Tenants {
		if t.Previous != nil {
			maps.Copy(held, roleDocs(&t.Previous.Manifest))
		}
	}
	kept := map[string]*model.Role{} // roles tenants outside the request hold
	var conflicts []model.Problem
	want := map[string]*model.Role{}
	if next != nil {
		want = roleDocs(&next.Manifest)
	}
	for _, tenant := range slices.Sorted(maps.Keys(req.Elsewhere)) {
		other := req.Elsewhere[tenant]
		for id, r := range roleDocs(&other.Manifest) {
			held[id], kept[id] = r, r
			if w := want[id]; w != nil && !reflect.DeepEqual(w, r) {
				conflicts = append(conflicts, model.Problem{Collection: model.Apps, ID: next.ID, Field: "manifest.roles",
					Message: fmt.Sprintf("redefines role %q, which tenant %s holds as version %s defines it: onboard every tenant of the app together, or name the changed role anew", id, tenant, other.VersionID)})
			}
		}
	}
	var out []Change
	for _, id := range slices.Sorted(maps.Keys(want)) {
		switch h := held[id]; {
		case h == nil:
			out = append(out, Change{Op: Create, Collection: model.Roles, ID: id, Doc: want[id]})
		case !reflect.DeepEqual(h, want[id]):
			out = append(out, Change{Op: Update, Collection: model.Roles, ID: id, Doc: want[id]})
		}
	}
	for id := range held {
		if want[id] == nil && kept[id] == nil {
			out = append(out, Change{Op: Delete, Collection: model.Roles, ID: id})
		}
	}
	return out, conflicts
}
