package engine

import (
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Grant kinds, as they appear in reasons.
const (
	KindRecord       = "record"
	KindMembership   = "membership"
	KindInstallation = "installation"
)

// BuildIndex turns a snapshot into the document served at
// data.gatehouse.index: grants keyed by the user or group a decision starts
// from, roles keyed by id with pre-parsed actions, installations and
// extensions by id. Deleted records are left out; expiry stays in the grant
// because it is checked against the decision time.
func BuildIndex(s *model.Snapshot) map[string]any {
	ix := &indexBuilder{users: map[string]*principal{}, groups: map[string]*principal{}}
	for i := range s.Records {
		ix.addRecord(&s.Records[i])
	}
	for i := range s.Memberships {
		ix.addMembership(&s.Memberships[i])
	}
	for _, g := range s.Groups {
		for _, u := range g.Users {
			p := ix.principal(ix.users, u.UserID)
			if !slices.Contains(p.groups, g.ID) {
				p.groups = append(p.groups, g.ID)
			}
		}
	}
	return map[string]any{
		"roles":         indexRoles(s.Roles),
		"users":         render(ix.users, true),
		"groups":        render(ix.groups, false),
		"installations": indexInstallations(s.Installations),
		"extensions":    indexExtensions(s.Extensions),
	}
}

type principal struct {
	grants []any
	groups []string
}

type indexBuilder struct {
	users, groups map[string]*principal
}

func (ix *indexBuilder) principal(m map[string]*principal, id string) *principal {
	p := m[id]
	if p == nil {
		p = &principal{}
		m[id] = p
	}
	return p
}

func (ix *indexBuilder) addRecord(r *model.Record) {
	if r.Status != model.StatusActive {
		return
	}
	for _, st := range r.Statements {
		users, groups := st.Users, st.Groups
		if len(users)+len(groups) == 0 {
			users, groups = r.Users, r.Groups
		}
		for _, role := range st.Roles {
			for _, res := range st.Resources {
				g := grant(KindRecord, r.ID, role, res.ResourceURI, r.ExpiresAt)
				if g == nil {
					continue
				}
				for _, u := range users {
					p := ix.principal(ix.users, u.UserID)
					p.grants = append(p.grants, g)
				}
				for _, gr := range groups {
					p := ix.principal(ix.groups, gr.GroupID)
					p.grants = append(p.grants, g)
				}
			}
		}
	}
}

func (ix *indexBuilder) addMembership(m *model.Membership) {
	p := ix.principal(ix.users, m.UserID)
	for _, role := range m.Roles {
		if g := grant(KindMembership, m.ID, role, m.Context, m.ExpiresAt); g != nil {
			p.grants = append(p.grants, g)
		}
	}
}

// grant renders one grant; nil when the URI is invalid.
func grant(kind, id, role, uri string, expires *time.Time) map[string]any {
	norm, err := model.NormalizeURI(uri)
	if err != nil {
		return nil
	}
	segs, _ := model.URISegments(norm)
	g := map[string]any{"kind": kind, "id": id, "role": role, "resource": norm, "segs": anys(segs)}
	if expires != nil {
		g["expires"] = expires.UnixNano()
	}
	return g
}

func render(m map[string]*principal, withGroups bool) map[string]any {
	out := make(map[string]any, len(m))
	for id, p := range m {
		doc := map[string]any{"grants": nonNil(p.grants)}
		if withGroups {
			doc["groups"] = anys(p.groups)
		}
		out[id] = doc
	}
	return out
}

func indexRoles(roles []model.Role) map[string]any {
	out := make(map[string]any, len(roles))
	for _, r := range roles {
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
		}
		out[r.ID] = map[string]any{"active": r.Active(), "permissions": perms}
	}
	return out
}

func indexInstallations(ins []model.Installation) map[string]any {
	out := make(map[string]any, len(ins))
	for _, in := range ins {
		resources := []any{}
		for _, uri := range in.Scope() {
			if norm, err := model.NormalizeURI(uri); err == nil {
				segs, _ := model.URISegments(norm)
				resources = append(resources, map[string]any{"resource": norm, "segs": anys(segs)})
			}
		}
		out[in.ID] = map[string]any{
			"extension": in.ExtensionID,
			"status":    in.Status,
			"resources": resources,
			"consented": patterns(in.ConsentedPermissions),
		}
	}
	return out
}

func indexExtensions(exts []model.Extension) map[string]any {
	out := make(map[string]any, len(exts))
	for _, e := range exts {
		out[e.ID] = map[string]any{"permissions": patterns(e.Permissions)}
	}
	return out
}

func patterns(actions []string) []any {
	out := []any{}
	for _, a := range actions {
		if segs, err := model.PatternSegments(a); err == nil {
			out = append(out, anys(segs))
		}
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

func nonNil(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}
