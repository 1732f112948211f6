// Package testkit is the shared harness of gatehouse's integration and
// end-to-end tests: it starts the fully wired server on random ports over
// a real embedded FerretDB (Start, StartOn), or the router alone over an
// in-memory store (StartMem), speaks HTTP to them, starts stock OPA
// sidecars, and holds the fixtures the test packages share.
package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/loadertest"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/loader/syncer"
)

// Gate is a running gatehouse under test.
type Gate struct {
	t    testing.TB
	Base string         // "http://host:port"
	Srv  *server.Server // the server, for its store and bundles
	URI  string         // the store's MongoDB URI
}

// Start starts an embedded store, imports snap into it, starts the server
// on a random port and waits for /ready.
func Start(t testing.TB, snap *model.Snapshot) *Gate {
	t.Helper()
	store, uri := loadertest.Store(t)
	if snap != nil {
		if err := store.Import(context.Background(), snap); err != nil {
			t.Fatalf("import: %v", err)
		}
	}
	return StartOn(t, uri)
}

// StartOn starts a server on an existing store; options adjust its config.
func StartOn(t testing.TB, uri string, options ...func(*server.Config)) *Gate {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := server.Config{
		Store:             mongostore.Config{URI: uri, Database: "gatehouse", Timeout: 5 * time.Second},
		Addr:              "127.0.0.1:0",
		DecisionCacheSize: 10_000,
		Sync:              syncer.Config{Interval: 100 * time.Millisecond, ResyncInterval: 500 * time.Millisecond},
	}
	for _, o := range options {
		o(&cfg)
	}
	srv, err := server.Start(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	g := &Gate{t: t, Base: "http://" + srv.Addr, Srv: srv, URI: uri}
	g.WaitReady()
	return g
}

// Attach wraps a server the test started itself; it does not wait for
// /ready (WaitReady does).
func Attach(t testing.TB, srv *server.Server) *Gate {
	return &Gate{t: t, Base: "http://" + srv.Addr, Srv: srv}
}

// WaitReady waits up to 30 s for /ready to answer 200.
func (g *Gate) WaitReady() {
	g.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if code, _ := g.Do(http.MethodGet, "/ready", nil); code == http.StatusOK {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	g.t.Fatal("server not ready after 30s")
}

// Do sends a request with an optional body (string and []byte are sent as
// is, anything else as JSON) and returns the status and body.
func (g *Gate) Do(method, path string, body any) (int, []byte) {
	g.t.Helper()
	return g.DoWith(method, path, body, nil)
}

// DoWith is Do with extra request headers.
func (g *Gate) DoWith(method, path string, body any, headers map[string]string) (int, []byte) {
	g.t.Helper()
	req, err := http.NewRequest(method, g.Base+path, bodyReader(g.t, body))
	if err != nil {
		g.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		g.t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// JSON sends a request, checks the status and decodes the body into out.
func (g *Gate) JSON(method, path string, body any, wantStatus int, out any) {
	g.t.Helper()
	code, raw := g.Do(method, path, body)
	if code != wantStatus {
		g.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, code, wantStatus, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			g.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// Decide posts a question to /v1/authorize and returns the decision.
func (g *Gate) Decide(in any) engine.Decision {
	g.t.Helper()
	var d engine.Decision
	g.JSON(http.MethodPost, "/v1/authorize", in, http.StatusOK, &d)
	return d
}

// Client returns a Go client of the server; opts add to (or replace)
// the defaults, which retry as client.DefaultRetry does.
func (g *Gate) Client(opts ...client.Option) *client.Client {
	g.t.Helper()
	c, err := client.New(g.Base, opts...)
	if err != nil {
		g.t.Fatal(err)
	}
	return c
}

// bodyReader is body as Do sends it; nil for no body.
func bodyReader(t testing.TB, body any) io.Reader {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case []byte:
		return bytes.NewReader(b)
	case string:
		return bytes.NewReader([]byte(b))
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(raw)
}
