// Package loadertest starts an embedded FerretDB store for tests.
package loadertest

import (
	"context"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/loader"
)

// Store starts an embedded store in a temporary directory and returns a
// connected loader and the store's URI; both are closed by t.Cleanup.
func Store(t testing.TB) (*loader.Mongo, string) {
	t.Helper()
	emb, err := loader.StartEmbedded(t.TempDir(), "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	m, err := loader.Open(context.Background(), loader.Config{URI: emb.URI()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m, emb.URI()
}

// Restartable is an embedded store that a test can stop and start again
// on the same address and files, to simulate an outage.
type Restartable struct {
	t    testing.TB
	dir  string
	addr string
	emb  *loader.Embedded
}

// NewRestartable starts an embedded store that can be stopped and started.
func NewRestartable(t testing.TB) *Restartable {
	t.Helper()
	r := &Restartable{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
	r.Start()
	r.addr = strings.TrimSuffix(strings.TrimPrefix(r.emb.URI(), "mongodb://"), "/")
	t.Cleanup(r.Stop)
	return r
}

// URI returns the store's connection string.
func (r *Restartable) URI() string { return "mongodb://" + r.addr + "/" }

// Start starts the store (again).
func (r *Restartable) Start() {
	r.t.Helper()
	emb, err := loader.StartEmbedded(r.dir, r.addr, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.emb = emb
}

// Stop stops the store; a no-op when stopped.
func (r *Restartable) Stop() {
	if r.emb != nil {
		r.emb.Close()
		r.emb = nil
	}
}
