package writes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// fakeStore is an in-memory Store with the MongoDB store's version
// semantics: Put bumps the version, ifMatch must equal the stored version
// (0: absent). Documents are copied in and out. err, when set, fails
// every call.
type fakeStore struct {
	mu     sync.Mutex
	docs   map[string]map[string]model.Document
	writes int
	err    error
}

var _ Store = (*fakeStore)(nil)

// newFakeStore holds docs, each stored at version 1.
func newFakeStore(docs ...model.Document) *fakeStore {
	s := &fakeStore{docs: map[string]map[string]model.Document{}}
	for _, d := range docs {
		c := collectionOf(d)
		if s.docs[c] == nil {
			s.docs[c] = map[string]model.Document{}
		}
		d.DocMeta().Version = 1
		s.docs[c][d.DocMeta().ID] = clone(c, d)
	}
	return s
}

func collectionOf(d model.Document) string {
	for _, c := range model.Collections {
		if fmt.Sprintf("%T", model.NewDocument(c)) == fmt.Sprintf("%T", d) {
			return c
		}
	}
	panic(fmt.Sprintf("no collection holds %T", d))
}

func clone(collection string, d model.Document) model.Document {
	raw, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	out := model.NewDocument(collection)
	if err := json.Unmarshal(raw, out); err != nil {
		panic(err)
	}
	return out
}

func (s *fakeStore) Get(_ context.Context, collection, id string) (model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	d, ok := s.docs[collection][id]
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", collection, id, model.ErrNotFound)
	}
	return clone(collection, d), nil
}

func (s *fakeStore) List(_ context.Context, collection, after string, limit int) ([]model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	var ids []string
	for id := range s.docs[collection] {
		if id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := []model.Document{}
	for _, id := range ids[:min(limit, len(ids))] {
		out = append(out, clone(collection, s.docs[collection][id]))
	}
	return out, nil
}

func (s *fakeStore) Put(_ context.Context, collection string, doc model.Document, ifMatch *int64) (model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	var stored int64
	if cur, ok := s.docs[collection][doc.DocMeta().ID]; ok {
		stored = cur.DocMeta().Version
	}
	if ifMatch != nil && *ifMatch != stored {
		return nil, fmt.Errorf("at version %d, not %d: %w", stored, *ifMatch, model.ErrConflict)
	}
	doc.DocMeta().Version = stored + 1
	if s.docs[collection] == nil {
		s.docs[collection] = map[string]model.Document{}
	}
	s.docs[collection][doc.DocMeta().ID] = clone(collection, doc)
	s.writes++
	return clone(collection, doc), nil
}

func (s *fakeStore) Delete(_ context.Context, collection, id string, ifMatch *int64) (model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	cur, ok := s.docs[collection][id]
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", collection, id, model.ErrNotFound)
	}
	if ifMatch != nil && *ifMatch != cur.DocMeta().Version {
		return nil, fmt.Errorf("at version %d, not %d: %w", cur.DocMeta().Version, *ifMatch, model.ErrConflict)
	}
	delete(s.docs[collection], id)
	s.writes++
	return cur, nil
}

// fakeEngine answers from fixed data: known ids, roles, what users lack
// (by user), and a policy compile error. applyErr fails Apply; applied
// records what Apply was given.
type fakeEngine struct {
	known     map[string]bool // "collection/id"
	roles     map[string]model.Role
	lacking   map[string][]engine.Missing // by user
	policyErr error
	applyErr  error
	applied   []engine.Change
}

var _ Engine = (*fakeEngine)(nil)

func (e *fakeEngine) Has(collection, id string) bool { return e.known[collection+"/"+id] }

func (e *fakeEngine) Role(id string) (model.Role, bool) {
	r, ok := e.roles[id]
	return r, ok
}

func (e *fakeEngine) GroupGrants(string) []engine.Given { return nil }

func (e *fakeEngine) CheckPolicy(string, string) error { return e.policyErr }

func (e *fakeEngine) MissingToGive(_ context.Context, user string, _ []engine.Given) ([]engine.Missing, error) {
	return e.lacking[user], nil
}

func (e *fakeEngine) MissingToInstall(_ context.Context, user, _ string, _ []string) ([]engine.Missing, error) {
	return e.lacking[user], nil
}

func (e *fakeEngine) Apply(_ context.Context, changes []engine.Change) (uint64, error) {
	if e.applyErr != nil {
		return 0, e.applyErr
	}
	e.applied = append(e.applied, changes...)
	return uint64(len(e.applied)), nil
}

var errCompile = errors.New("rego_parse_error: unexpected eof")
