package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes/writestest"
)

// memStore is the writes service's in-memory store, with the MongoDB
// store's version semantics.
type memStore = writestest.Store

var _ api.Store = (*memStore)(nil)

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
	s := writestest.NewStoreFrom(snap)
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
