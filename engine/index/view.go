package index

import (
	"cmp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// View is one revision of the decision data in compact Go form. It is
// immutable once published: Apply builds the next View by copying only the
// shards its changes touch, so a reader holds one consistent revision
// without locks.
type View struct {
	rev           uint64
	users         shards[*principal]
	groups        shards[*principal]
	apps          shards[*principal] // by onboarding id, tenantId/appId
	roles         shards[*roleView]
	installations shards[*installationView]
	extensions    shards[*extensionView]
	routes        shards[*tenantRoutes] // by tenant id, see routes.go
	reverse       reverseIndex          // who holds what, see reverse.go
}

// Rev returns the view's revision.
func (v *View) Rev() uint64 { return v.rev }

// RoleState reports whether the role exists and whether it is active.
func (v *View) RoleState(id string) (exists, active bool) {
	r, ok := v.roles.get(id)
	return ok, ok && r.active
}

// GroupGrants returns the grants a group holds from active records.
func (v *View) GroupGrants(group string) []Grant {
	if p, ok := v.groups.get(group); ok {
		return p.grants
	}
	return nil
}

// EachGrant calls f with every grant users and groups hold.
func (v *View) EachGrant(f func(*Grant)) {
	for _, s := range []*shards[*principal]{&v.users, &v.groups} {
		s.each(func(_ string, p *principal) {
			for i := range p.grants {
				f(&p.grants[i])
			}
		})
	}
}

// principal is a user's, group's or app's grants sorted by key (then by source,
// keeping each source's order), and a user's groups. A sorted slice
// rather than a map: most principals hold a handful of grants.
type principal struct {
	grants []Grant
	groups []string
	user   bool // renders a "groups" key
}

func newPrincipal(grants []Grant, groups []string, user bool) *principal {
	slices.SortStableFunc(grants, func(a, b Grant) int {
		return cmp.Or(strings.Compare(a.key(), b.key()), strings.Compare(a.Kind.String(), b.Kind.String()), strings.Compare(a.ID, b.ID))
	})
	return &principal{grants: grants, groups: groups, user: user}
}

// at returns the grants filed under key.
func (p *principal) at(key string) []Grant {
	i, _ := slices.BinarySearchFunc(p.grants, key, func(t Grant, k string) int { return strings.Compare(t.key(), k) })
	j := i
	for j < len(p.grants) && p.grants[j].key() == key {
		j++
	}
	return p.grants[i:j]
}

// without copies the grants not from the dropped sources.
func (p *principal) without(dropped set) []Grant {
	out := make([]Grant, 0, len(p.grants))
	for _, t := range p.grants {
		if _, gone := dropped[t.source()]; !gone {
			out = append(out, t)
		}
	}
	return out
}

// roleView is a role as decisions use it: allowed action prefixes
// ("read:"; "" for "*") and allowed patterns with "*" segments.
type roleView struct {
	active     bool
	allows     []string
	allowsWild [][]string
	perms      []HeldPermission // the valid permissions in order, for lookups
	value      ast.Value        // the index entry, rendered once: roles are few
}

type installationView struct {
	extension, status string
	resources         []scopeEntry
	consented         [][]string
}

type scopeEntry struct {
	resource string
	segs     []string
}

type extensionView struct {
	permissions [][]string
	value       ast.Value
}
