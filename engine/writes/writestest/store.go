// Package writestest holds an in-memory store, meeting writes.Store with
// the MongoDB store's version semantics, for tests of the writes service
// and of the handlers over it. Only tests import it; it must not import
// Gin or the MongoDB driver.
package writestest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Store is an in-memory writes.Store with the MongoDB store's version
// semantics: Put bumps the version and sets updatedAt, ifMatch must equal
// the stored version (0: absent). Documents are copied in and out.
type Store struct {
	mu   sync.Mutex
	docs map[string]map[string]model.Document
	// Writes counts the successful Puts and Deletes.
	Writes int
	// Err, when set, fails every call.
	Err error
}

// NewStore holds docs, each stored at version 1.
func NewStore(docs ...model.Document) *Store {
	s := &Store{docs: map[string]map[string]model.Document{}}
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

func (s *Store) Get(_ context.Context, collection, id string) (model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
	}
	d, ok := s.docs[collection][id]
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", collection, id, model.ErrNotFound)
	}
	return clone(collection, d), nil
}

func (s *Store) List(_ context.Context, collection, after string, limit int) ([]model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
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

func (s *Store) Put(_ context.Context, collection string, doc model.Document, ifMatch *int64) (model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
	}
	var stored int64
	if cur, ok := s.docs[collection][doc.DocMeta().ID]; ok {
		stored = cur.DocMeta().Version
	}
	if ifMatch != nil && *ifMatch != stored {
		return nil, fmt.Errorf("at version %d, not %d: %w", stored, *ifMatch, model.ErrConflict)
	}
	doc.DocMeta().Version = stored + 1
	doc.DocMeta().UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
	if s.docs[collection] == nil {
		s.docs[collection] = map[string]model.Document{}
	}
	s.docs[collection][doc.DocMeta().ID] = clone(collection, doc)
	s.Writes++
	return clone(collection, doc), nil
}

func (s *Store) Delete(_ context.Context, collection, id string, ifMatch *int64) (model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
	}
	cur, ok := s.docs[collection][id]
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", collection, id, model.ErrNotFound)
	}
	if ifMatch != nil && *ifMatch != cur.DocMeta().Version {
		return nil, fmt.Errorf("at version %d, not %d: %w", cur.DocMeta().Version, *ifMatch, model.ErrConflict)
	}
	delete(s.docs[collection], id)
	s.Writes++
	return cur, nil
}

// NewStoreFrom holds every document of snap, each at version 1.
func NewStoreFrom(snap *model.Snapshot) *Store {
	var docs []model.Document
	for _, c := range model.Collections {
		docs = append(docs, snap.Docs(c)...)
	}
	return NewStore(docs...)
}

// Reset replaces every document with snap's, each at version 1.
func (s *Store) Reset(snap *model.Snapshot) {
	fresh := NewStoreFrom(snap)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs = fresh.docs
}

// Snapshot returns a copy of every document.
func (s *Store) Snapshot() *model.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &model.Snapshot{}
	for _, c := range model.Collections {
		for _, d := range s.docs[c] {
			out.Add(c, clone(c, d))
		}
	}
	return out
}

// Written returns how many Puts and Deletes succeeded.
func (s *Store) Written() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Writes
}

// Batch makes the writes in order, as Put and Delete do, stopping at the
// first that fails; the writes before it stay, as in the MongoDB store.
func (s *Store) Batch(ctx context.Context, writes []model.Write) ([]model.Document, error) {
	var out []model.Document
	for _, w := range writes {
		var doc model.Document
		var err error
		if w.Doc != nil {
			doc, err = s.Put(ctx, w.Collection, w.Doc, w.IfMatch)
		} else {
			_, err = s.Delete(ctx, w.Collection, w.ID, w.IfMatch)
		}
		if err != nil {
			return out, err
		}
		out = append(out, doc)
	}
	return out, nil
}
