package engine

import (
	"context"
)

// Export is one consistent copy of what the engine evaluates: the index
// document, the policy modules (no tests) and the revision they belong to.
type Export struct {
	Revision uint64
	Index    map[string]any
	Modules  map[string]string
}

// Export copies the current index and modules, both of one revision.
func (e *Engine) Export(context.Context) (Export, error) {
	v := e.view.Load()
	if v == nil {
		return Export{}, ErrNotReady
	}
	return Export{Revision: v.rev, Index: v.json(), Modules: copyModules(v.modules)}, nil
}

// Changed returns a channel closed at the next revision change, for long
// polling: take it before reading the revision, then wait on it.
func (e *Engine) Changed() <-chan struct{} {
	return *e.changed.Load()
}

// notify wakes everyone waiting on Changed.
func (e *Engine) notify() {
	next := make(chan struct{})
	close(*e.changed.Swap(&next))
}
