package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// memStore is an in-memory api.Store with the version semantics of the
// MongoDB store: Put bumps the version, ifMatch must equal the stored
// version (0: must not exist), Delete of an absent document is
// model.ErrNotFound. Documents are copied in and out, as a real store's are.
type memStore struct {
	mu     sync.Mutex
	docs   map[string]map[string]model.Document
	writes int // successful Puts and Deletes
}

var _ api.Store = (*memStore)(nil)

func newMemStore(snap *model.Snapshot) *memStore {
	s := &memStore{docs: map[string]map[string]model.Document{}}
	for _, c := range model.Collections {
		s.docs[c] = map[string]model.Document{}
		if snap == nil {
			continue
		}
		for _, d := range snap.Docs(c) {
			d = memCopy(c, d)
			d.DocMeta().Version = 1
			s.docs[c][d.DocMeta().ID] = d
		}
	}
	return s
}

// memCopy deep-copies a document through its JSON form.
func memCopy(collection string, d model.Document) model.Document {
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

func (s *memStore) Get(_ context.Context, collection, id string) (model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.docs[collection][id]
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", collection, id, model.ErrNotFound)
	}
	return memCopy(collection, d), nil
}

func (s *memStore) List(_ context.Context, collection, after string, limit int) ([]model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.docs[collection] {
		if id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := []model.Document{}
	for _, id := range ids {
		if len(out) == limit {
			break
		}
		out = append(out, memCopy(collection, s.docs[collection][id]))
	}
	return out, nil
}

func (s *memStore) Put(_ context.Context, collection string, doc model.Document, ifMatch *int64) (model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	meta := doc.DocMeta()
	var stored int64
	if cur, ok := s.docs[collection][meta.ID]; ok {
		stored = cur.DocMeta().Version
	}
	if ifMatch != nil && *ifMatch != stored {
		return nil, fmt.Errorf("%s/%s is at version %d, not %d: %w", collection, meta.ID, stored, *ifMatch, model.ErrConflict)
	}
	meta.Version, meta.UpdatedAt = stored+1, time.Now().UTC().Truncate(time.Millisecond)
	s.docs[collection][meta.ID] = memCopy(collection, doc)
	s.writes++
	return memCopy(collection, doc), nil
}

func (s *memStore) Delete(_ context.Context, collection, id string, ifMatch *int64) (model.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.docs[collection][id]
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", collection, id, model.ErrNotFound)
	}
	if ifMatch != nil && *ifMatch != cur.DocMeta().Version {
		return nil, fmt.Errorf("%s/%s is at version %d, not %d: %w", collection, id, cur.DocMeta().Version, *ifMatch, model.ErrConflict)
	}
	delete(s.docs[collection], id)
	s.writes++
	return cur, nil
}

// memGate is the API router over an engine and an in-memory store, served
// in-process: no database, no network.
type memGate struct {
	t      testing.TB
	engine *engine.Engine
	store  *memStore
	router http.Handler
}

// startMemGate loads snap into a fresh engine and in-memory store; wrap,
// when given, wraps the store the router writes through.
func startMemGate(t testing.TB, snap *model.Snapshot, wrap func(api.Store) api.Store) *memGate {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := engine.NewWithOptions(log, engine.Options{})
	if _, err := e.Load(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	s := newMemStore(snap)
	var store api.Store = s
	if wrap != nil {
		store = wrap(s)
	}
	return &memGate{t: t, engine: e, store: s, router: api.NewRouter(api.Deps{Engine: e, Store: store, Log: log})}
}

// do serves one request; headers are name/value pairs, a name may repeat.
func (g *memGate) do(method, path string, body any, headers ...string) (int, []byte) {
	g.t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			g.t.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	g.router.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

// reset replaces every document with snap's, as stored at version 1.
func (s *memStore) reset(snap *model.Snapshot) {
	fresh := newMemStore(snap)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs = fresh.docs
}

// snapshot returns a copy of every document.
func (s *memStore) snapshot() *model.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &model.Snapshot{}
	for _, c := range model.Collections {
		for _, d := range s.docs[c] {
			switch d := memCopy(c, d).(type) {
			case *model.Role:
				out.Roles = append(out.Roles, *d)
			case *model.Record:
				out.Records = append(out.Records, *d)
			case *model.Group:
				out.Groups = append(out.Groups, *d)
			case *model.Membership:
				out.Memberships = append(out.Memberships, *d)
			case *model.Extension:
				out.Extensions = append(out.Extensions, *d)
			case *model.Installation:
				out.Installations = append(out.Installations, *d)
			case *model.Tenant:
				out.Tenants = append(out.Tenants, *d)
			case *model.Policy:
				out.Policies = append(out.Policies, *d)
			}
		}
	}
	return out
}

// written returns how many writes the store took.
func (s *memStore) written() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}
