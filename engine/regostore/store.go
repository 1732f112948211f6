// Package regostore is a read-only OPA storage.Store over index views:
// data is {"gatehouse": {"index": ..., "revision": n}}, rendered from the
// view a transaction is pinned to, entry by entry as Rego reads it. It
// keeps no second copy of the data. It imports engine/index and OPA's
// storage and ast; never the engine, Gin or the MongoDB driver.
package regostore

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/gatehouse/gatehouse/engine/index"
)

// RevisionPath is where the store serves the view's revision.
var RevisionPath = storage.Path{"gatehouse", "revision"}

// Store is a read-only OPA store over views. A transaction opened with
// NewTransaction reads the view current then; one opened with Begin reads
// the view given, so a caller that holds a view and the policies of one
// generation evaluates them together.
type Store struct {
	current func() *index.View
	nextID  atomic.Uint64
}

var _ storage.Store = (*Store)(nil)

// New returns a store whose NewTransaction reads current(); a nil view
// reads as empty.
func New(current func() *index.View) *Store { return &Store{current: current} }

type txn struct {
	id uint64
	v  *index.View
}

func (t *txn) ID() uint64 { return t.id }

var errReadOnly = errors.New("engine: the data is read-only; write documents through the API")

// Begin opens a read transaction pinned to v.
func (s *Store) Begin(v *index.View) storage.Transaction {
	if v == nil {
		v = new(index.View)
	}
	return &txn{id: s.nextID.Add(1), v: v}
}

// NewTransaction opens a read transaction over the current view; a write
// transaction is refused.
func (s *Store) NewTransaction(_ context.Context, params ...storage.TransactionParams) (storage.Transaction, error) {
	for _, p := range params {
		if p.Write {
			return nil, errReadOnly
		}
	}
	return s.Begin(s.current()), nil
}

// Revision reads the revision of the transaction's view.
func Revision(t storage.Transaction) uint64 {
	if t, ok := t.(*txn); ok {
		return t.v.Rev()
	}
	return 0
}

// Read renders the document at path from the transaction's view.
func (s *Store) Read(_ context.Context, t storage.Transaction, path storage.Path) (any, error) {
	v := t.(*txn).v
	var doc ast.Value
	switch {
	case len(path) == 0:
		doc = ast.NewObject(ast.Item(ast.InternedTerm("gatehouse"), ast.NewTerm(v.Root())))
	case path[0] != "gatehouse":
	case len(path) == 1:
		doc = v.Root()
	case path[1] == "revision" && len(path) == 2:
		doc = ast.Number(strconv.FormatUint(v.Rev(), 10))
	case path[1] != "index":
	case len(path) == 2:
		doc = v.Document()
	case len(path) == 3:
		doc = v.Collection(path[2])
	default:
		doc = walk(v.Entry(path[2], path[3]), path[4:])
	}
	if doc == nil {
		return nil, notFound(path)
	}
	return doc, nil
}

// walk follows keys into doc; nil when they lead nowhere.
func walk(doc ast.Value, keys storage.Path) ast.Value {
	for _, key := range keys {
		if doc == nil {
			return nil
		}
		var t *ast.Term
		switch d := doc.(type) {
		case ast.Object:
			t = d.Get(ast.StringTerm(key))
		case *ast.Array:
			if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < d.Len() {
				t = d.Elem(i)
			}
		}
		if t == nil {
			return nil
		}
		doc = t.Value
	}
	return doc
}

func notFound(path storage.Path) error {
	return &storage.Error{Code: storage.NotFoundErr, Message: path.String() + ": document does not exist"}
}

// Write refuses: the data changes only through the engine.
func (s *Store) Write(context.Context, storage.Transaction, storage.PatchOp, storage.Path, any) error {
	return errReadOnly
}

// Commit does nothing: transactions only read.
func (s *Store) Commit(context.Context, storage.Transaction) error { return nil }

// Abort does nothing: transactions only read.
func (s *Store) Abort(context.Context, storage.Transaction) {}

// Truncate refuses.
func (s *Store) Truncate(context.Context, storage.Transaction, storage.TransactionParams, storage.Iterator) error {
	return errReadOnly
}

// Policies are compiled by the engine, never kept in the store.

// ListPolicies lists none.
func (s *Store) ListPolicies(context.Context, storage.Transaction) ([]string, error) {
	return nil, nil
}

// GetPolicy finds none.
func (s *Store) GetPolicy(_ context.Context, _ storage.Transaction, id string) ([]byte, error) {
	return nil, notFound(storage.Path{id})
}

// UpsertPolicy refuses.
func (s *Store) UpsertPolicy(context.Context, storage.Transaction, string, []byte) error {
	return errReadOnly
}

// DeletePolicy refuses.
func (s *Store) DeletePolicy(context.Context, storage.Transaction, string) error {
	return errReadOnly
}

// Register accepts triggers but never fires them: the data changes only
// through the engine, which recompiles what it needs itself.
func (s *Store) Register(context.Context, storage.Transaction, storage.TriggerConfig) (storage.TriggerHandle, error) {
	return noTrigger{}, nil
}

type noTrigger struct{}

func (noTrigger) Unregister(context.Context, storage.Transaction) {}
