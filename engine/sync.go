package engine

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Change is one document written or deleted.
type Change = index.Change

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
	g, err := e.current()
	if err != nil {
		return 0, err
	}
	v, policiesChanged := e.ix.Apply(g.view, changes)
	if v == nil {
		return g.view.Rev(), nil
	}
	p := g.policies
	if policiesChanged {
		if p, err = e.compile(ctx, e.ix.Policies()); err != nil {
			return 0, err
		}
	}
	e.publish(&generation{policies: p, view: v})
	return v.Rev(), nil
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
	changes := e.ix.Diff(snap, readStart)
	if len(changes) == 0 {
		return e.Revision(), false, nil
	}
	rev, err := e.applyLocked(ctx, changes)
	return rev, err == nil, err
}

// Has reports whether a document is loaded.
func (e *Engine) Has(collection, id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ix != nil && e.ix.Has(collection, id)
}

// Role returns the role with id as last written; false when there is none.
func (e *Engine) Role(id string) (model.Role, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ix == nil {
		return model.Role{}, false
	}
	r, ok := e.ix.Role(id)
	if !ok {
		return model.Role{}, false
	}
	return *r, true
}
