package index

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/model"
)

// recordGrants renders the grants of an active record's statements whose
// principals (the statement's own, else the record's) satisfy holds.
func recordGrants(r *model.Record, holds func([]model.UserRef, []model.GroupRef) bool) []Grant {
	if r.Status != model.StatusActive {
		return nil
	}
	var out []Grant
	for _, st := range r.Statements {
		if !holds(r.Principals(&st)) {
			continue
		}
		for _, role := range st.Roles {
			for _, res := range st.Resources {
				if g, ok := newGrant(FromRecord, r.ID, role, res.ResourceURI, r.ExpiresAt); ok {
					out = append(out, g)
				}
			}
		}
	}
	return out
}

// onboardingGrants renders the grants an onboarding gives its app in its
// tenant: each of Grants whose URI lies under tenants/{tenantId}, so an
// app holds nothing outside its tenant even if a document says otherwise.
// None when the _id is not tenantId/appId, the key decisions look up.
func onboardingGrants(o *model.Onboarding) []Grant {
	if o.ID != model.OnboardingID(o.TenantID, o.AppID) {
		return nil
	}
	var out []Grant
	for _, ag := range o.Grants {
		g, ok := newGrant(FromOnboarding, o.ID, ag.Role, ag.ResourceURI, nil)
		if segs := g.Segments(); ok && len(segs) >= 2 && segs[0] == "tenants" && segs[1] == o.TenantID {
			out = append(out, g)
		}
	}
	return out
}

// newRoleView splits a role's allowed patterns for decisions: those
// without "*" segments as prefixes (allows: "read:" for read and read:*,
// "" for *; a request "read:projects:" starting with one is implied) and
// those with "*" segments as segments (allowsWild).
func newRoleView(r *model.Role) *roleView {
	v := &roleView{active: r.Active(), allows: []string{}, allowsWild: [][]string{}}
	perms := make([]any, 0, len(r.Permissions))
	for _, p := range r.Permissions {
		segs, err := model.PatternSegments(p.Action)
		if err != nil {
			continue
		}
		perms = append(perms, map[string]any{
			"action": p.Action, "segs": anys(segs),
			"allow": p.Allows(), "grant": p.Grant, "delegate": p.Delegate,
		})
		v.perms = append(v.perms, HeldPermission{Action: p.Action, Allow: p.Allows(), Grant: p.Grant, Delegate: p.Delegate})
		switch {
		case !p.Allows():
		case slices.Contains(segs, "*"):
			v.allowsWild = append(v.allowsWild, segs)
		case len(segs) == 0:
			v.allows = append(v.allows, "")
		default:
			v.allows = append(v.allows, strings.Join(segs, ":")+":")
		}
	}
	v.value = ast.MustInterfaceToValue(map[string]any{"active": v.active, "permissions": perms, "allows": anys(v.allows), "allows_wild": segsDoc(v.allowsWild)})
	return v
}

func newInstallationView(in *model.Installation) *installationView {
	v := &installationView{extension: in.ExtensionID, status: in.Status, consented: patterns(in.ConsentedPermissions)}
	for _, uri := range in.Scope() {
		if segs, err := model.URISegments(uri); err == nil {
			v.resources = append(v.resources, scopeEntry{resource: strings.Join(segs, "/"), segs: segs})
		}
	}
	return v
}

// patterns splits the valid action patterns into segments.
func patterns(actions []string) [][]string {
	out := [][]string{}
	for _, a := range actions {
		if segs, err := model.PatternSegments(a); err == nil {
			out = append(out, segs)
		}
	}
	return out
}

func segsDoc(list [][]string) []any {
	out := make([]any, len(list))
	for i, segs := range list {
		out[i] = anys(segs)
	}
	return out
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
