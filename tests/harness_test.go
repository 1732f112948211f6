package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/loadertest"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/loader/syncer"
)

// gate is a running gatehouse under test.
type gate struct {
	t    testing.TB
	base string
	srv  *server.Server
	uri  string // the store's MongoDB URI
}

// startGate starts an embedded store, imports snap into it, starts the
// server on a random port and waits for /ready.
func startGate(t testing.TB, snap *model.Snapshot) *gate {
	t.Helper()
	store, uri := loadertest.Store(t)
	if snap != nil {
		if err := store.Import(context.Background(), snap); err != nil {
			t.Fatalf("import: %v", err)
		}
	}
	return startGateOn(t, uri)
}

// startGateOn starts a server on an existing store; options adjust its config.
func startGateOn(t testing.TB, uri string, options ...func(*server.Config)) *gate {
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
	g := &gate{t: t, base: "http://" + srv.Addr, srv: srv, uri: uri}
	g.waitReady()
	return g
}

func (g *gate) waitReady() {
	g.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if code, _ := g.do(http.MethodGet, "/ready", nil); code == http.StatusOK {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	g.t.Fatal("server not ready after 30s")
}

// do sends a request with an optional JSON (or raw []byte) body and returns
// the status and body.
func (g *gate) do(method, path string, body any) (int, []byte) {
	g.t.Helper()
	return g.doWith(method, path, body, nil)
}

// doWith is do with extra request headers.
func (g *gate) doWith(method, path string, body any, headers map[string]string) (int, []byte) {
	g.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			g.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, g.base+path, r)
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

// json sends a request, checks the status and decodes the body into out.
func (g *gate) json(method, path string, body any, wantStatus int, out any) {
	g.t.Helper()
	code, raw := g.do(method, path, body)
	if code != wantStatus {
		g.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, code, wantStatus, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			g.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// demoSnapshot returns the demo data set the README uses.
func demoSnapshot(t testing.TB) *model.Snapshot {
	t.Helper()
	raw, err := os.ReadFile("../cmd/gatehouse/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := mongostore.Decode(raw, true)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// startStoreWithDemo starts an embedded store holding the demo data.
func startStoreWithDemo(t testing.TB) (*mongostore.Store, string) {
	t.Helper()
	store, uri := loadertest.Store(t)
	if err := store.Import(context.Background(), demoSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	return store, uri
}

// startStoreWith starts an embedded store holding snap.
func startStoreWith(t testing.TB, snap *model.Snapshot) (*mongostore.Store, string) {
	t.Helper()
	store, uri := loadertest.Store(t)
	if err := store.Import(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	return store, uri
}
