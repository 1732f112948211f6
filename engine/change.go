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

// touched lists the index entries a set of changes affects.
type touched struct {
	users, groups, roles, installations, extensions set
	policies                                        bool
}

func newTouched() *touched {
	return &touched{users: set{}, groups: set{}, roles: set{}, installations: set{}, extensions: set{}}
}

// apply records the change in the indexer and notes what it touches.
func (ix *indexer) apply(c Change, t *touched) {
	if old, ok := ix.docs[c.Collection][c.ID]; ok {
		ix.note(c.Collection, old, t)
		ix.remove(c.Collection, old)
	}
	if c.Doc != nil {
		ix.put(c.Collection, c.Doc)
		ix.note(c.Collection, c.Doc, t)
	}
}

// note marks the entries that doc, in its collection, contributes to.
func (ix *indexer) note(collection string, doc model.Document, t *touched) {
	id := doc.DocMeta().ID
	switch d := doc.(type) {
	case *model.Role:
		t.roles[id] = struct{}{}
	case *model.Installation:
		t.installations[id] = struct{}{}
	case *model.Extension:
		t.extensions[id] = struct{}{}
	case *model.Policy:
		t.policies = true
	case *model.Membership:
		t.users[d.UserID] = struct{}{}
	case *model.Group:
		for _, u := range d.Users {
			t.users[u.UserID] = struct{}{}
		}
	case *model.Record:
		users, groups := recordPrincipals(d)
		for u := range users {
			t.users[u] = struct{}{}
		}
		for g := range groups {
			t.groups[g] = struct{}{}
		}
	}
}

// put adds doc and its reverse-map entries.
func (ix *indexer) put(collection string, doc model.Document) {
	ix.docs[collection][doc.DocMeta().ID] = doc
	ix.reverse(doc, link)
}

// remove drops doc and its reverse-map entries.
func (ix *indexer) remove(collection string, doc model.Document) {
	delete(ix.docs[collection], doc.DocMeta().ID)
	ix.reverse(doc, unlink)
}

// reverse applies edit (link or unlink) to every reverse-map entry of doc.
func (ix *indexer) reverse(doc model.Document, edit func(m map[string][]string, key, id string)) {
	id := doc.DocMeta().ID
	switch d := doc.(type) {
	case *model.Record:
		users, groups := recordPrincipals(d)
		for u := range users {
			edit(ix.userRecords, u, id)
		}
		for g := range groups {
			edit(ix.groupRecords, g, id)
		}
	case *model.Membership:
		edit(ix.userMemberships, d.UserID, id)
	case *model.Group:
		for _, u := range d.Users {
			edit(ix.userGroups, u.UserID, id)
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
	return &view{
		rev:           rev,
		modules:       modules,
		users:         nextShards(&cur.users, t.users, ix.userPrincipal),
		groups:        nextShards(&cur.groups, t.groups, ix.groupPrincipal),
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
