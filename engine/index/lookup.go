package index

import (
	"cmp"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/engine/model"
)

// The lookups, evaluated natively over a View. Each answers exactly as its
// Rego twin in policies/gatehouse/lookup does (lookup.rego, access.rego),
// order included; differential tests (engine/lookup_internal_test.go) hold
// them equal. The engine checks the inputs before they get here.

// HeldPermission is an action a user holds, flags merged over every
// permission entry with that action.
type HeldPermission struct {
	Action   string `json:"action"`
	Allow    bool   `json:"allow"`
	Grant    bool   `json:"grant"`
	Delegate bool   `json:"delegate"`
}

// UserMembership is a membership reaching a context.
type UserMembership struct {
	ID          string           `json:"id"`
	Context     string           `json:"context"`
	Inherited   bool             `json:"inherited"`
	Roles       []string         `json:"roles"`
	Permissions []HeldPermission `json:"permissions"`
}

// AccessGrant is one grant of a user's access map: who gave it (Kind,
// ID), the group it comes through ("" when direct), the role, the
// resource pattern, the expiry (Unix ns, 0 without one) and what the role
// gives (nothing for a missing or inactive role).
type AccessGrant struct {
	Kind        string           `json:"kind"`
	ID          string           `json:"id"`
	Group       string           `json:"group,omitempty"`
	Role        string           `json:"role"`
	Resource    string           `json:"resource"`
	Expires     int64            `json:"expires,omitempty"`
	Permissions []HeldPermission `json:"permissions"`
}

// CompareAccess orders an access map: by resource, kind, id, group, role.
func CompareAccess(a, b *AccessGrant) int {
	return cmp.Or(strings.Compare(a.Resource, b.Resource), strings.Compare(a.Kind, b.Kind),
		strings.Compare(a.ID, b.ID), strings.Compare(a.Group, b.Group), strings.Compare(a.Role, b.Role))
}

// eachPrincipal calls f with the user's grants, then each of their
// groups' with the group's id, as grants.user_grants reads them.
func (v *View) eachPrincipal(user string, f func(p *principal, group string)) {
	u, ok := v.users.get(user)
	if !ok {
		return
	}
	f(u, "")
	for _, g := range u.groups {
		if gp, ok := v.groups.get(g); ok {
			f(gp, g)
		}
	}
}

// covering calls f with each of p's unexpired grants covering the
// request's URI, found under the URI's prefixes as decisions find them.
func (p *principal) covering(req *request, f func(*Grant)) {
	req.prefixes(func(prefix string) {
		ts := p.at(prefix)
		for i := range ts {
			if t := &ts[i]; (t.Pattern == nil || model.Covers(*t.Pattern, req.segs)) && t.live(req.now) {
				f(t)
			}
		}
	})
}

// uriRequest splits a lookup's resource or context as match.resource_segments.
func uriRequest(uri string, now int64) *request {
	r := &request{uri: model.TrimURI(uri), now: now}
	r.segs = strings.Split(r.uri, "/")
	return r
}

// Permissions lists each action the user's unexpired grants covering
// resource give through active roles, flags merged, sorted by action:
// data.gatehouse.lookup.permissions.
func (v *View) Permissions(user, resource string, now int64) []HeldPermission {
	req := uriRequest(resource, now)
	var held []HeldPermission
	v.eachPrincipal(user, func(p *principal, _ string) {
		p.covering(req, func(t *Grant) {
			if r, ok := v.roles.get(t.Role); ok && r.active {
				held = append(held, r.perms...)
			}
		})
	})
	return mergeFlags(held)
}

// Resources lists, sorted, the grant patterns through which the user
// holds permission at now, seen under prefix when it is not "":
// data.gatehouse.lookup.resources.
func (v *View) Resources(user, permission, prefix string, now int64) []string {
	action := model.FoldAction(permission)
	req := &request{action: strings.Split(action, ":"), actionKey: action + ":"}
	var within []string
	if prefix != "" {
		within = strings.Split(model.TrimURI(prefix), "/")
	}
	out := []string{}
	v.eachPrincipal(user, func(p *principal, _ string) {
		for i := range p.grants {
			t := &p.grants[i]
			if !t.live(now) || !v.roleAllows(t.Role, req) {
				continue
			}
			if uri, ok := withinPrefix(t, within); ok {
				out = append(out, uri)
			}
		}
	})
	slices.Sort(out)
	return slices.Compact(out)
}

// withinPrefix is the grant's pattern as seen under the prefix segments p
// (lookup.within_prefix): the pattern when p is nil or covers it, p when
// the pattern covers p, p extended by the pattern's deeper segments when
// the pattern's start covers p; false when the pattern lies elsewhere.
func withinPrefix(t *Grant, p []string) (string, bool) {
	if p == nil {
		return t.Resource, true
	}
	segs := t.Segments()
	switch {
	case model.Covers(p, segs):
		return t.Resource, true
	case model.Covers(segs, p):
		return strings.Join(p, "/"), true
	case len(segs) > len(p) && model.Covers(segs[:len(p)], p):
		return strings.Join(p, "/") + "/" + strings.Join(segs[len(p):], "/"), true
	}
	return "", false
}

// Memberships lists, by id, the user's unexpired memberships at context
// and above: data.gatehouse.lookup.memberships.
func (v *View) Memberships(user, context string, now int64) []UserMembership {
	req := uriRequest(context, now)
	first := map[string]*Grant{}
	roles := map[string][]string{}
	v.eachPrincipal(user, func(p *principal, _ string) {
		p.covering(req, func(t *Grant) {
			if t.Kind != FromMembership {
				return
			}
			if _, seen := first[t.ID]; !seen {
				first[t.ID] = t
			}
			roles[t.ID] = append(roles[t.ID], t.Role)
		})
	})
	out := make([]UserMembership, 0, len(first))
	for id, t := range first {
		rs := roles[id]
		slices.Sort(rs)
		rs = slices.Compact(rs)
		out = append(out, UserMembership{ID: id, Context: t.Resource, Inherited: len(t.Segments()) < len(req.segs),
			Roles: rs, Permissions: v.rolePermissions(rs)})
	}
	slices.SortFunc(out, func(a, b UserMembership) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Access returns the page of the user's access map at now that follows
// after (nil: the first page), at most limit grants, and whether more
// follow: data.gatehouse.lookup.access, paged with AccessAfter.
func (v *View) Access(user string, now int64, after *AccessGrant, limit int) ([]AccessGrant, bool) {
	all := []AccessGrant{}
	v.eachPrincipal(user, func(p *principal, group string) {
		for i := range p.grants {
			if t := &p.grants[i]; t.live(now) {
				all = append(all, AccessGrant{Kind: t.Kind.String(), ID: t.ID, Group: group, Role: t.Role, Resource: t.Resource, Expires: t.Expires})
			}
		}
	})
	slices.SortFunc(all, func(a, b AccessGrant) int { return cmp.Or(CompareAccess(&a, &b), cmp.Compare(a.Expires, b.Expires)) })
	all = slices.CompactFunc(all, func(a, b AccessGrant) bool { return CompareAccess(&a, &b) == 0 && a.Expires == b.Expires })
	page, more := AccessAfter(all, after, limit)
	for i := range page {
		page[i].Permissions = v.rolePermissions([]string{page[i].Role})
	}
	return page, more
}

// AccessAfter returns at most limit grants of the sorted list that follow
// after (nil: from the start), and whether more follow them.
func AccessAfter(list []AccessGrant, after *AccessGrant, limit int) ([]AccessGrant, bool) {
	start := 0
	if after != nil {
		i, found := slices.BinarySearchFunc(list, after, func(g AccessGrant, k *AccessGrant) int { return CompareAccess(&g, k) })
		if start = i; found {
			start++
		}
	}
	end := min(start+limit, len(list))
	return list[start:end], end < len(list)
}

// rolePermissions merges what the active roles among roles give
// (lookup._role_permissions).
func (v *View) rolePermissions(roles []string) []HeldPermission {
	var held []HeldPermission
	for _, id := range roles {
		if r, ok := v.roles.get(id); ok && r.active {
			held = append(held, r.perms...)
		}
	}
	return mergeFlags(held)
}

// mergeFlags merges the entries of each action, sorted by action, as
// lookup.merge_flags over a set of actions: a flag is set when any
// entry sets it.
func mergeFlags(held []HeldPermission) []HeldPermission {
	slices.SortStableFunc(held, func(a, b HeldPermission) int { return strings.Compare(a.Action, b.Action) })
	out := make([]HeldPermission, 0, len(held))
	for _, p := range held {
		if n := len(out); n > 0 && out[n-1].Action == p.Action {
			out[n-1].Allow = out[n-1].Allow || p.Allow
			out[n-1].Grant = out[n-1].Grant || p.Grant
			out[n-1].Delegate = out[n-1].Delegate || p.Delegate
			continue
		}
		out = append(out, p)
	}
	return out
}
