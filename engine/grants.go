package engine

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/model"
)

// recordGrants renders the grants of an active record's statements whose
// principals (the statement's own, else the record's) satisfy holds.
func recordGrants(r *model.Record, holds func([]model.UserRef, []model.GroupRef) bool) []tuple {
	if r.Status != model.StatusActive {
		return nil
	}
	var out []tuple
	for _, st := range r.Statements {
		users, groups := st.Users, st.Groups
		if len(users)+len(groups) == 0 {
			users, groups = r.Users, r.Groups
		}
		if !holds(users, groups) {
			continue
		}
		for _, role := range st.Roles {
			for _, res := range st.Resources {
				if g, ok := grant(kindRecord, r.ID, role, res.ResourceURI, r.ExpiresAt); ok {
					out = append(out, g)
				}
			}
		}
	}
	return out
}

// grant makes one grant; false when the URI is invalid.
func grant(k kind, id, role, uri string, expires *time.Time) (tuple, bool) {
	segs, err := model.URISegments(uri)
	if err != nil {
		return tuple{}, false
	}
	norm, _ := model.NormalizeURI(uri)
	t := tuple{kind: k, id: id, role: role, resource: norm, keyLen: uint16(len(norm))}
	if expires != nil {
		t.expires = unixNanos(*expires)
	}
	if star := slices.Index(segs, "*"); star >= 0 {
		t.pattern = &segs
		t.keyLen = uint16(len(strings.Join(segs[:star], "/")))
	}
	return t, true
}

// unixNanos is t in Unix nanoseconds, clamped to what int64 holds
// (1678 to 2262): earlier times become 1 (long past), later ones the
// maximum (never in practice). UnixNano alone overflows outside that range.
func unixNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, 1)):
		return 1
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
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
			norm, _ := model.NormalizeURI(uri)
			v.resources = append(v.resources, scopeEntry{resource: norm, segs: segs})
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
