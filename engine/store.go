package engine

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
)

// viewStore is a read-only OPA store over the engine's views: data is
// {"gatehouse": {"index": ..., "revision": n}}, rendered from the view a
// transaction began with, entry by entry as Rego reads it. It keeps no
// second copy of the data, and a transaction sees one revision whatever
// Apply publishes meanwhile.
type viewStore struct {
	views  *atomic.Pointer[view]
	nextID atomic.Uint64
}

type viewTxn struct {
	id uint64
	v  *view
}

func (t *viewTxn) ID() uint64 { return t.id }

var errReadOnly = errors.New("engine: the data is read-only; write documents through the API")

func (s *viewStore) NewTransaction(_ context.Context, params ...storage.TransactionParams) (storage.Transaction, error) {
	for _, p := range params {
		if p.Write {
			return nil, errReadOnly
		}
	}
	v := s.views.Load()
	if v == nil {
		v = &view{}
	}
	return &viewTxn{id: s.nextID.Add(1), v: v}, nil
}

// Read renders the document at path from the transaction's view.
func (s *viewStore) Read(_ context.Context, txn storage.Transaction, path storage.Path) (any, error) {
	v := txn.(*viewTxn).v
	var doc ast.Value
	switch {
	case len(path) == 0:
		doc = ast.NewObject(ast.Item(ast.InternedTerm("gatehouse"), ast.NewTerm(v.root())))
	case path[0] != "gatehouse":
	case len(path) == 1:
		doc = v.root()
	case path[1] == "revision" && len(path) == 2:
		doc = ast.Number(strconv.FormatUint(v.rev, 10))
	case path[1] != "index":
	case len(path) == 2:
		doc = v.document()
	case len(path) == 3:
		doc = v.collection(path[2])
	default:
		doc = walk(v.entry(path[2], path[3]), path[4:])
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

func (s *viewStore) Write(context.Context, storage.Transaction, storage.PatchOp, storage.Path, any) error {
	return errReadOnly
}

func (s *viewStore) Commit(context.Context, storage.Transaction) error { return nil }

func (s *viewStore) Abort(context.Context, storage.Transaction) {}

func (s *viewStore) Truncate(context.Context, storage.Transaction, storage.TransactionParams, storage.Iterator) error {
	return errReadOnly
}

// Policies are compiled by the engine, never kept in the store.

func (s *viewStore) ListPolicies(context.Context, storage.Transaction) ([]string, error) {
	return nil, nil
}

func (s *viewStore) GetPolicy(_ context.Context, _ storage.Transaction, id string) ([]byte, error) {
	return nil, notFound(storage.Path{id})
}

func (s *viewStore) UpsertPolicy(context.Context, storage.Transaction, string, []byte) error {
	return errReadOnly
}

func (s *viewStore) DeletePolicy(context.Context, storage.Transaction, string) error {
	return errReadOnly
}

// Register accepts triggers but never fires them: the data changes only
// through the engine, which recompiles what it needs itself.
func (s *viewStore) Register(context.Context, storage.Transaction, storage.TriggerConfig) (storage.TriggerHandle, error) {
	return noTrigger{}, nil
}

type noTrigger struct{}

func (noTrigger) Unregister(context.Context, storage.Transaction) {}
