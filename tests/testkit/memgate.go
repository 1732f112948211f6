package testkit

import (
	"context"
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

var _ api.Store = (*writestest.Store)(nil)

// MemGate is the API router over an engine and the writes service's
// in-memory store (the MongoDB store's version semantics), in-process.
type MemGate struct {
	t      testing.TB
	Engine *engine.Engine
	Store  *writestest.Store
	router http.Handler
}

// StartMem loads snap into a fresh engine and in-memory store; wrap, when
// given, wraps the store the router writes through.
func StartMem(t testing.TB, snap *model.Snapshot, wrap func(api.Store) api.Store) *MemGate {
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
	return &MemGate{t: t, Engine: e, Store: s, router: api.NewRouter(api.Deps{Engine: e, Store: store, Log: log})}
}

// Do serves one request with an optional body (as Gate.Do); headers are
// name/value pairs, a name may repeat.
func (g *MemGate) Do(method, path string, body any, headers ...string) (int, []byte) {
	g.t.Helper()
	req := httptest.NewRequest(method, path, bodyReader(g.t, body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	g.router.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}
