package index

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Who has access: the answer read from the reverse index (reverse.go).

// AccessPath is one way a user holds a permission on a resource: the
// grant (Kind, ID, Role, Resource pattern), the group it comes through
// ("" for the user's own), and whether a permission of the role implying
// the action carries grant or delegate.
type AccessPath struct {
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Group    string `json:"group,omitempty"`
	Role     string `json:"role"`
	Resource string `json:"resource"`
	Grant    bool   `json:"grant"`
	Delegate bool   `json:"delegate"`
}

// UserAccess is a user and every path through which they hold it.
type UserAccess struct {
	User string       `json:"user"`
	Via  []AccessPath `json:"via"`
}

// WhoQuery asks who holds Permission on Resource; with Grant, who holds
// it with the grant flag, that is who may give it to others.
type WhoQuery struct {
	Resource, Permission string
	Grant                bool
}

// WhoHasAccess answers q at now as data.gatehouse.lookup.users does:
// the users, sorted by id, holding unexpired grants (their own or their
// groups') that cover the resource through a role fitting q, each with
// its paths sorted. Only users after the id after are listed, at most
// limit of them (0: no limit); more reports that others follow. An
// invalid q holds nobody. It merges the sorted user lists the reverse
// index keeps under each prefix of the resource, so a page costs what it
// lists plus the users passed over (holders whose grants there do not
// fit). A View from Within has no reverse index.
func (v *View) WhoHasAccess(q WhoQuery, after string, limit int, now int64) (users []UserAccess, more bool) {
	// newRequest checks the resource and permission as a decision does;
	// the user only fills the subject it requires.
	req, ok := newRequest(Input{User: "lookup", Resource: q.Resource, Permission: q.Permission}, now)
	if !ok {
		return []UserAccess{}, false
	}
	w := &whoHas{v: v, req: &req, grant: q.Grant, roles: map[string]roleFit{}}
	req.prefixes(w.addLists)
	return merge(w.lists, after, limit)
}

// whoHas gathers one WhoHasAccess answer.
type whoHas struct {
	v     *View
	req   *request
	grant bool
	roles map[string]roleFit // by role id, worked out once
	lists []*userList
}

// roleFit says whether a role fits the query and with which flags.
type roleFit struct{ fits, grant, delegate bool }

// userList is a sorted list of users who may hold the permission and
// how to find their paths.
type userList struct {
	ids   []string
	paths func(user string) []AccessPath
}

// addLists adds the lists of the users and groups with grants under key:
// the users with their own grants there, and the members of each group
// whose grants there fit.
func (w *whoHas) addLists(key string) {
	if users, ok := w.v.reverse.users.get(key); ok {
		w.lists = append(w.lists, &userList{ids: users, paths: func(u string) []AccessPath {
			if p, ok := w.v.users.get(u); ok {
				return w.fitting(p.at(key), "", nil)
			}
			return nil
		}})
	}
	groups, _ := w.v.reverse.groups.get(key)
	for _, g := range groups {
		gp, ok := w.v.groups.get(g)
		members, _ := w.v.reverse.members.get(g)
		if !ok || len(members) == 0 {
			continue
		}
		if paths := w.fitting(gp.at(key), g, nil); len(paths) > 0 {
			w.lists = append(w.lists, &userList{ids: members, paths: func(string) []AccessPath { return paths }})
		}
	}
}

// fitting appends to out the paths of the live grants among ts that
// cover the resource through a role fitting the query.
func (w *whoHas) fitting(ts []Grant, group string, out []AccessPath) []AccessPath {
	for i := range ts {
		t := &ts[i]
		if (t.Pattern != nil && !model.Covers(*t.Pattern, w.req.segs)) || !t.live(w.req.now) {
			continue
		}
		if f := w.fit(t.Role); f.fits {
			out = append(out, AccessPath{Kind: t.Kind.String(), ID: t.ID, Group: group, Role: t.Role, Resource: t.Resource, Grant: f.grant, Delegate: f.delegate})
		}
	}
	return out
}

// fit works out, once per role, whether it fits the query: it allows the
// action (or, for Grant, carries grant on it) and is active.
func (w *whoHas) fit(role string) roleFit {
	if f, ok := w.roles[role]; ok {
		return f
	}
	var f roleFit
	if r, ok := w.v.roles.get(role); ok && r.active {
		f.grant, f.delegate = r.flagsFor(w.req.action)
		f.fits = f.grant
		if !w.grant {
			f.fits = w.v.roleAllows(role, w.req)
		}
	}
	w.roles[role] = f
	return f
}

// merge walks the lists in user order from after on, joining each user's
// paths, until limit users with paths are found (0: all); more reports
// that another follows.
func merge(lists []*userList, after string, limit int) ([]UserAccess, bool) {
	h := listHeap{}
	for _, l := range lists {
		i, found := slices.BinarySearch(l.ids, after)
		if found {
			i++
		}
		if l.ids = l.ids[i:]; len(l.ids) > 0 {
			h = append(h, l)
		}
	}
	heap.Init(&h)
	out := []UserAccess{}
	for h.Len() > 0 {
		u := h[0].ids[0]
		var paths []AccessPath
		for h.Len() > 0 && h[0].ids[0] == u {
			l := h[0]
			paths = append(paths, l.paths(u)...)
			if l.ids = l.ids[1:]; len(l.ids) == 0 {
				heap.Pop(&h)
			} else {
				heap.Fix(&h, 0)
			}
		}
		if len(paths) == 0 {
			continue
		}
		if limit > 0 && len(out) == limit {
			return out, true
		}
		out = append(out, UserAccess{User: u, Via: SortPaths(paths)})
	}
	return out, false
}

// listHeap orders user lists by their first id (container/heap).
type listHeap []*userList

func (h listHeap) Len() int           { return len(h) }
func (h listHeap) Less(i, j int) bool { return h[i].ids[0] < h[j].ids[0] }
func (h listHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *listHeap) Push(x any)        { *h = append(*h, x.(*userList)) }
func (h *listHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// SortPaths sorts paths by kind, id, role, resource and group, and drops
// repeats (a record naming a user twice gives the same path twice).
func SortPaths(ps []AccessPath) []AccessPath {
	slices.SortFunc(ps, func(a, b AccessPath) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.ID, b.ID), strings.Compare(a.Role, b.Role),
			strings.Compare(a.Resource, b.Resource), strings.Compare(a.Group, b.Group))
	})
	return slices.Compact(ps)
}

// flagsFor reports whether a permission of the role whose pattern implies
// action carries grant, and whether one carries delegate, whatever its
// allow (as gatehouse.admin.holds reads the flags). It reads the
// rendered entry: roles are few and it keeps their pre-parsed form small.
func (r *roleView) flagsFor(action []string) (grant, delegate bool) {
	obj, ok := r.value.(ast.Object)
	if !ok {
		return false, false
	}
	t := obj.Get(ast.InternedTerm("permissions"))
	if t == nil {
		return false, false
	}
	perms, ok := t.Value.(*ast.Array)
	if !ok {
		return false, false
	}
	perms.Foreach(func(t *ast.Term) {
		p, ok := t.Value.(ast.Object)
		if !ok || !model.Covers(astStrings(p.Get(ast.InternedTerm("segs"))), action) {
			return
		}
		grant = grant || p.Get(ast.InternedTerm("grant")).Equal(ast.BooleanTerm(true))
		delegate = delegate || p.Get(ast.InternedTerm("delegate")).Equal(ast.BooleanTerm(true))
	})
	return grant, delegate
}

// astStrings reads an array of strings; nil for anything else.
func astStrings(t *ast.Term) []string {
	if t == nil {
		return nil
	}
	arr, ok := t.Value.(*ast.Array)
	if !ok {
		return nil
	}
	out := make([]string, 0, arr.Len())
	arr.Foreach(func(e *ast.Term) {
		if s, ok := e.Value.(ast.String); ok {
			out = append(out, string(s))
		}
	})
	return out
}
