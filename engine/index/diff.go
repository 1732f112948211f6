package index

import (
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

// effective reports whether a change alters what is loaded, counting the
// changes before it: not a delete of what is absent, not a rewrite of the
// same document, and not a write older than the loaded one (a poller that
// fetched a document just before a newer write was applied must not roll
// it back).
func (ix *Indexer) effective(c Change) bool {
	old, ok := ix.stamps[c.Collection][c.ID]
	switch {
	case c.Doc == nil:
		return ok
	case ok:
		return !old.same(c.Doc) && !older(c.Doc.DocMeta(), old)
	}
	return true
}

// older reports whether a is an older write of the document than b: a
// lower version not written later. Versions restart after a delete, so a
// lower version written later is a newer document.
func older(a *model.Meta, b stamp) bool {
	return a.Version < b.version && unixNanos(a.UpdatedAt) <= b.updated
}
