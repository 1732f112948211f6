package engine

import (
	"slices"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Change is one document written or deleted.
type Change struct {
	Collection string
	ID         string
	Doc        model.Document // nil when the document was deleted
}

// touched lists the index entries a set of changes affects, with the
// grants records and memberships took away (dropped, by source) and gave
// (added, by principal).
type touched struct {
	users, groups, roles, installations, extensions set
	policies                                        bool
	dropped                                         set // source keys, see sourceKey
	addedUsers, addedGroups                         map[string][]tuple
}

func newTouched() *touched {
	return &touched{
		users: set{}, groups: set{}, roles: set{}, installations: set{}, extensions: set{},
		dropped: set{}, addedUsers: map[string][]tuple{}, addedGroups: map[string][]tuple{},
	}
}

// apply records the change in the indexer and notes what it touches.
func (ix *indexer) apply(c Change, t *touched) {
	if _, ok := ix.stamps[c.Collection][c.ID]; ok {
		ix.note(c.Collection, c.ID, t)
		if large(c.Collection) {
			t.drop(sourceKey(kindOf(c.Collection), c.ID))
		}
		ix.remove(c.Collection, c.ID)
	}
	if c.Doc != nil {
		ix.put(c.Collection, c.Doc)
		ix.note(c.Collection, c.ID, t)
		addGrants(c.Doc, t.addedUsers, t.addedGroups)
	}
}

// drop takes a source's grants away, including any added earlier in the
// same set of changes.
func (t *touched) drop(source string) {
	t.dropped[source] = struct{}{}
	for _, added := range []map[string][]tuple{t.addedUsers, t.addedGroups} {
		for p, ts := range added {
			added[p] = slices.DeleteFunc(ts, func(g tuple) bool { return g.source() == source })
		}
	}
}

func kindOf(collection string) kind {
	if collection == model.Memberships {
		return kindMembership
	}
	return kindRecord
}

// note marks the entries the loaded document contributes to.
func (ix *indexer) note(collection, id string, t *touched) {
	switch collection {
	case model.Roles:
		t.roles[id] = struct{}{}
	case model.Installations:
		t.installations[id] = struct{}{}
	case model.Extensions:
		t.extensions[id] = struct{}{}
	case model.Policies:
		t.policies = true
	case model.Records, model.Memberships:
		st := ix.stamps[collection][id]
		for _, u := range st.namedUsers() {
			t.users[u] = struct{}{}
		}
		for _, g := range st.namedGroups() {
			t.groups[g] = struct{}{}
		}
	case model.Groups:
		for _, u := range ix.docs[collection][id].(*model.Group).Users {
			t.users[u.UserID] = struct{}{}
		}
	}
}

// recordPrincipals returns every user and group a record names anywhere.
func recordPrincipals(r *model.Record) (set, set) {
	users, groups := set{}, set{}
	add := func(us []model.UserRef, gs []model.GroupRef) {
		for _, u := range us {
			users[u.UserID] = struct{}{}
		}
		for _, g := range gs {
			groups[g.GroupID] = struct{}{}
		}
	}
	add(r.Users, r.Groups)
	for _, st := range r.Statements {
		add(st.Users, st.Groups)
	}
	return users, groups
}

// link adds id to m[key], keeping it sorted and unique.
func link(m map[string][]string, key, id string) {
	ids := m[key]
	if i, found := slices.BinarySearch(ids, id); !found {
		m[key] = slices.Insert(ids, i, id)
	}
}

// unlink removes id from m[key], dropping the key when it empties.
func unlink(m map[string][]string, key, id string) {
	ids := m[key]
	if i, found := slices.BinarySearch(ids, id); found {
		ids = slices.Delete(ids, i, i+1)
	}
	if len(ids) == 0 {
		delete(m, key)
		return
	}
	m[key] = ids
}

// next builds the view at rev from cur, rebuilding the touched entries.
func (ix *indexer) next(cur *view, t *touched, rev uint64, modules map[string]string) *view {
	principals := func(cur *shards[*principal], added map[string][]tuple, user bool) func(string) *principal {
		return func(id string) *principal {
			var grants []tuple
			if p, ok := cur.get(id); ok {
				grants = p.without(t.dropped)
			}
			return ix.principal(id, append(grants, added[id]...), user)
		}
	}
	return &view{
		rev:           rev,
		modules:       modules,
		users:         nextShards(&cur.users, t.users, principals(&cur.users, t.addedUsers, true)),
		groups:        nextShards(&cur.groups, t.groups, principals(&cur.groups, t.addedGroups, false)),
		roles:         nextShards(&cur.roles, t.roles, ix.role),
		installations: nextShards(&cur.installations, t.installations, ix.installation),
		extensions:    nextShards(&cur.extensions, t.extensions, ix.extension),
	}
}

// nextShards rebuilds the entries with the given ids; nil removes one.
func nextShards[T any](cur *shards[*T], ids set, build func(string) *T) shards[*T] {
	updates := make(map[string]*T, len(ids))
	for id := range ids {
		updates[id] = build(id)
	}
	return cur.with(updates, notNil[T])
}

// policies returns the custom policies, sorted by id.
func (ix *indexer) policies() []model.Policy {
	var out []model.Policy
	for _, id := range keys(ix.docs[model.Policies]) {
		out = append(out, *ix.docs[model.Policies][id].(*model.Policy))
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
