package engine

import (
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Export is one consistent copy of what the engine evaluates: the index
// document, the policy modules (no tests) and the revision they belong to.
type Export struct {
	Revision uint64
	Index    map[string]any
	Modules  map[string]string
}

// Export copies the current index and modules, read in one transaction.
func (e *Engine) Export(ctx context.Context) (Export, error) {
	s, err := e.state()
	if err != nil {
		return Export{}, err
	}
	txn, err := s.store.NewTransaction(ctx)
	if err != nil {
		return Export{}, err
	}
	defer s.store.Abort(ctx, txn)
	v, err := s.store.Read(ctx, txn, indexRoot)
	if err != nil {
		return Export{}, err
	}
	var doc any = v
	if av, ok := v.(ast.Value); ok {
		if doc, err = ast.JSON(av); err != nil {
			return Export{}, err
		}
	}
	index, ok := doc.(map[string]any)
	if !ok {
		return Export{}, fmt.Errorf("engine: index is %T, not an object", doc)
	}
	return Export{Revision: readRevision(s.store, txn), Index: index, Modules: copyModules(s.modules)}, nil
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
