package apps

import (
	"cmp"
	"reflect"
	"slices"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Op is what a Change does to a document.
type Op string

// The operations of a Change.
const (
	Create Op = "create"
	Update Op = "update"
	Delete Op = "delete"
)

// Change is one document to write or delete. Doc is nil for Delete; for
// Create and Update it carries only its _id in Meta, the store sets the
// rest. Groups are created and deleted, never updated, so the users added
// to a group that survives a re-onboarding stay in it.
type Change struct {
	Op         Op
	Collection string
	ID         string
	Doc        model.Document
}

// tenantDocs are the documents an onboarding of one version writes in
// one tenant, besides the app's roles, which all tenants share.
type tenantDocs struct {
	onboarding *model.Onboarding
	groups     []*model.Group
	records    []*model.Record
}

// planTenant builds the documents onboarding v writes in tenant t: the
// onboarding (with the app's grants), and per user group a group and an
// access record granting the group its roles on model.TenantAppURI(t, app).
func planTenant(t string, v *model.AppVersion) *tenantDocs {
	app := v.AppID
	out := &tenantDocs{onboarding: &model.Onboarding{
		Meta:      model.Meta{ID: model.OnboardingID(t, app)},
		AppID:     app,
		VersionID: v.VersionID,
		TenantID:  t,
		Grants:    appGrants(t, &v.Manifest),
	}}
	for _, g := range v.Manifest.UserGroupsRequired {
		id := model.AppGroupID(t, app, g.GroupName)
		out.groups = append(out.groups, &model.Group{Meta: model.Meta{ID: id}, Name: g.GroupName})
		out.records = append(out.records, &model.Record{
			Meta:   model.Meta{ID: id},
			Name:   "group " + g.GroupName + " of app " + app,
			Status: model.StatusActive,
			Groups: []model.GroupRef{{GroupID: id}},
			Statements: []model.Statement{{
				Roles:     roleIDs(app, g.Roles),
				Resources: []model.ResourceRef{{ResourceURI: model.TenantAppURI(t, app)}},
			}},
		})
	}
	return out
}

// appGrants are the roles an app holds in tenant t: each entry of
// rolesRequired on the other app's model.TenantAppURI.
func appGrants(t string, m *model.Manifest) []model.AppGrant {
	var out []model.AppGrant
	for _, id := range m.RolesRequired {
		other, _, _ := model.SplitAppRoleID(id)
		out = append(out, model.AppGrant{Role: id, ResourceURI: model.TenantAppURI(t, other)})
	}
	return out
}

func roleIDs(app string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = model.AppRoleID(app, n)
	}
	return out
}

// roleDocs are the core roles of a manifest, by id: appId/roleName, each
// action an allowing permission, the flags written out.
func roleDocs(m *model.Manifest) map[string]*model.Role {
	out := map[string]*model.Role{}
	for i := range m.Roles {
		r := &m.Roles[i]
		doc := &model.Role{
			Meta:            model.Meta{ID: model.AppRoleID(m.AppID, r.RoleName)},
			Name:            r.RoleName,
			Description:     "role of app " + m.AppID,
			IsActive:        ptr(model.AppRoleActive(r)),
			CanGrantToUsers: ptr(model.GrantsToUsers(r)),
			CanGrantToApps:  ptr(model.GrantsToApps(r)),
		}
		for _, a := range r.Permissions {
			doc.Permissions = append(doc.Permissions, model.Permission{Action: a})
		}
		out[doc.ID] = doc
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// docs lists a tenant's documents by collection.
func (d *tenantDocs) docs() map[string][]model.Document {
	out := map[string][]model.Document{}
	if d == nil {
		return out
	}
	out[model.Onboardings] = []model.Document{d.onboarding}
	for _, g := range d.groups {
		out[model.Groups] = append(out[model.Groups], g)
	}
	for _, r := range d.records {
		out[model.Records] = append(out[model.Records], r)
	}
	return out
}

// diffTenant lists the changes from what prev wrote to what next writes
// (either may be nil): new documents are created, changed ones updated
// (never groups: their users stay), dropped ones deleted.
func diffTenant(prev, next *tenantDocs) []Change {
	var out []Change
	before, after := prev.docs(), next.docs()
	for _, c := range []string{model.Groups, model.Records, model.Onboardings} {
		old := map[string]model.Document{}
		for _, d := range before[c] {
			old[d.DocMeta().ID] = d
		}
		for _, d := range after[c] {
			id := d.DocMeta().ID
			o, had := old[id]
			delete(old, id)
			switch {
			case !had:
				out = append(out, Change{Op: Create, Collection: c, ID: id, Doc: d})
			case c != model.Groups && !reflect.DeepEqual(o, d):
				out = append(out, Change{Op: Update, Collection: c, ID: id, Doc: d})
			}
		}
		for id := range old {
			out = append(out, Change{Op: Delete, Collection: c, ID: id})
		}
	}
	return out
}

// writeOrder ranks collections so that a document is written after those
// it names and deleted before them.
var writeOrder = map[string]int{model.Roles: 0, model.Groups: 1, model.Records: 2, model.Onboardings: 3}

// sortChanges puts creates and updates first, roles to onboardings, then
// deletes, onboardings to roles; by id within a collection.
func sortChanges(cs []Change) {
	key := func(c Change) int {
		if c.Op == Delete {
			return 10 - writeOrder[c.Collection]
		}
		return writeOrder[c.Collection]
	}
	slices.SortFunc(cs, func(a, b Change) int {
		return cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a.ID, b.ID))
	})
}
