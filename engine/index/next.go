package index

import (
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Change is one document written or deleted.
type Change struct {
	Collection string
	ID         string
	Doc        model.Document // nil when the document was deleted
}

// Apply records the changes that alter what is loaded (see effective) and
// builds the View after cur from them, rebuilding only the entries they
// touch; next is nil when no change is effective. policies reports whether
// a custom policy changed, so the caller recompiles (see Policies).
func (ix *Indexer) Apply(cur *View, changes []Change) (next *View, policies bool) {
	ix.pruneTombstones()
	t, applied := newTouched(), 0
	for _, c := range changes {
		if ix.effective(c) {
			ix.apply(c, t)
			applied++
		}
	}
	if applied == 0 {
		return nil, false
	}
	return ix.next(cur, t, cur.rev+1), t.policies
}

// effective reports whether a change alters what is loaded, counting the
// changes before it: not a delete of what is absent, not a rewrite of the
// same document, not a write older than the loaded one (a poller that
// fetched a document just before a newer write was applied must not roll
// it back), and not the write of a document deleted since (see stale).
func (ix *Indexer) effective(c Change) bool {
	old, ok := ix.stamps[c.Collection][c.ID]
	switch {
	case c.Doc == nil:
		return ok
	case ok:
		return !old.same(c.Doc) && !older(c.Doc.DocMeta(), old)
	}
	return !ix.stale(c.Collection, c.Doc)
}

// older reports whether a is an older write of the document than b: a
// lower version not written later. Versions restart after a delete, so a
// lower version written later is a newer document.
func older(a *model.Meta, b stamp) bool {
	return a.Version < b.version && unixNanos(a.UpdatedAt) <= b.updated
}

// touched lists the index entries a set of changes affects, with the
// grants records and memberships took away (dropped, by source) and gave
// (added, by principal).
type touched struct {
	users, groups, apps, roles, installations, extensions set
	tenants                                               set // whose routes change
	policies                                              bool
	dropped                                               set // source keys, see sourceKey
	addedUsers, addedGroups                               map[string][]Grant
}

func newTouched() *touched {
	return &touched{
		users: set{}, groups: set{}, apps: set{}, roles: set{}, installations: set{}, extensions: set{}, tenants: set{},
		dropped: set{}, addedUsers: map[string][]Grant{}, addedGroups: map[string][]Grant{},
	}
}

// apply records the change in the Indexer and notes what it touches.
func (ix *Indexer) apply(c Change, t *touched) {
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
	for _, added := range []map[string][]Grant{t.addedUsers, t.addedGroups} {
		for p, ts := range added {
			added[p] = slices.DeleteFunc(ts, func(g Grant) bool { return g.source() == source })
		}
	}
}

// note marks the entries the loaded document contributes to.
func (ix *Indexer) note(collection, id string, t *touched) {
	switch collection {
	case model.Roles:
		t.roles[id] = struct{}{}
	case model.Installations:
		t.installations[id] = struct{}{}
	case model.Extensions:
		t.extensions[id] = struct{}{}
	case model.Onboardings:
		t.apps[id] = struct{}{}
		ix.noteRoutes(collection, id, t)
	case model.Apps:
		ix.noteRoutes(collection, id, t)
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

// next builds the View at rev from cur, rebuilding the touched entries.
func (ix *Indexer) next(cur *View, t *touched, rev uint64) *View {
	principals := func(cur *shards[*principal], added map[string][]Grant, user bool) func(string) *principal {
		return func(id string) *principal {
			var grants []Grant
			if p, ok := cur.get(id); ok {
				grants = p.without(t.dropped)
			}
			return ix.principal(id, append(grants, added[id]...), user)
		}
	}
	v := &View{
		rev:           rev,
		users:         nextShards(&cur.users, t.users, principals(&cur.users, t.addedUsers, true)),
		groups:        nextShards(&cur.groups, t.groups, principals(&cur.groups, t.addedGroups, false)),
		apps:          nextShards(&cur.apps, t.apps, ix.app),
		roles:         nextShards(&cur.roles, t.roles, ix.roleEntry),
		installations: nextShards(&cur.installations, t.installations, ix.installation),
		extensions:    nextShards(&cur.extensions, t.extensions, ix.extension),
		routes:        nextShards(&cur.routes, t.tenants, ix.tenantRoutes),
	}
	v.reverse = nextReverse(cur, v, t)
	return v
}

// nextShards rebuilds the entries with the given ids; nil removes one.
func nextShards[T any](cur *shards[*T], ids set, build func(string) *T) shards[*T] {
	updates := make(map[string]*T, len(ids))
	for id := range ids {
		updates[id] = build(id)
	}
	return cur.with(updates, notNil[T])
}

// Diff lists the changes that make the loaded documents equal to snap:
// documents added, changed or gone. readStart is when the snapshot's read
// began: a loaded document updated after it is newer than the snapshot
// and is not deleted.
func (ix *Indexer) Diff(snap *model.Snapshot, readStart time.Time) []Change {
	var out []Change
	for _, c := range model.Collections {
		seen := map[string]bool{}
		for _, d := range snap.Docs(c) {
			id := d.DocMeta().ID
			seen[id] = true
			if old, ok := ix.stamps[c][id]; !ok || !old.same(d) {
				out = append(out, Change{Collection: c, ID: id, Doc: d})
			}
		}
		for id, old := range ix.stamps[c] {
			if !seen[id] && old.updated < unixNanos(readStart) {
				out = append(out, Change{Collection: c, ID: id})
			}
		}
	}
	return out
}
