package engine

import (
	"context"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/gatehouse/gatehouse/engine/model"
)

var revisionPath = storage.Path{"gatehouse", "revision"}

// Apply changes documents: it builds the next view, rebuilding only the
// index entries the changes touch, and publishes it as the next revision.
// A change to a custom policy recompiles the policies. It returns
// ErrNotReady before the first Load.
func (e *Engine) Apply(ctx context.Context, changes []Change) (uint64, error) {
	if len(changes) == 0 {
		return e.Revision(), nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.applyLocked(ctx, changes)
}

// applyLocked is Apply with e.mu held.
func (e *Engine) applyLocked(ctx context.Context, changes []Change) (uint64, error) {
	s := e.cur.Load()
	if s == nil {
		return 0, ErrNotReady
	}
	t, applied := newTouched(), 0
	for _, c := range changes {
		if e.ix.effective(c) {
			e.ix.apply(c, t)
			applied++
		}
	}
	if applied == 0 {
		return e.Revision(), nil
	}
	cur, next := e.view.Load(), s
	modules := cur.modules
	if t.policies {
		var err error
		if next, err = e.newState(ctx, e.ix.policies()); err != nil {
			return 0, err
		}
		modules = next.modules
	}
	v := e.ix.next(cur, t, cur.rev+1, modules)
	e.publish(next, v)
	return v.rev, nil
}

// readRevision reads the revision inside txn; 0 when unreadable.
func readRevision(store storage.Store, txn storage.Transaction) uint64 {
	v, err := store.Read(context.Background(), txn, revisionPath)
	if err != nil {
		return 0
	}
	switch n := v.(type) {
	case ast.Number:
		i, _ := n.Int64()
		return uint64(i)
	case uint64:
		return n
	}
	return 0
}

// Sync makes the loaded documents equal to snap by applying only the
// differences (documents added, changed or gone). readStart is when the
// snapshot's read began: a loaded document updated after it is newer than
// the snapshot and is neither replaced nor deleted. It returns the
// revision and whether anything changed.
// The differences are applied under the same lock they are computed
// under, so a write applied in between cannot be undone by them.
func (e *Engine) Sync(ctx context.Context, snap *model.Snapshot, readStart time.Time) (uint64, bool, error) {
	e.mu.Lock()
	if e.ix == nil {
		e.mu.Unlock()
		rev, err := e.Load(ctx, snap)
		return rev, err == nil, err
	}
	defer e.mu.Unlock()
	changes := diff(e.ix, snap, readStart)
	if len(changes) == 0 {
		return e.Revision(), false, nil
	}
	rev, err := e.applyLocked(ctx, changes)
	return rev, err == nil, err
}

func diff(ix *indexer, snap *model.Snapshot, readStart time.Time) []Change {
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
func (ix *indexer) effective(c Change) bool {
	old, ok := ix.stamps[c.Collection][c.ID]
	switch {
	case c.Doc == nil:
		return ok
	case ok:
		return !old.same(c.Doc) && !older(c.Doc.DocMeta(), old)
	}
	return true
}

// Has reports whether a document is loaded.
func (e *Engine) Has(collection, id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ix == nil {
		return false
	}
	_, ok := e.ix.stamps[collection][id]
	return ok
}

// older reports whether a is an older write of the document than b: a
// lower version not written later. Versions restart after a delete, so a
// lower version written later is a newer document.
func older(a *model.Meta, b stamp) bool {
	return a.Version < b.version && unixNanos(a.UpdatedAt) <= b.updated
}
