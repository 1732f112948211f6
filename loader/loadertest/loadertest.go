// Package loadertest starts an embedded FerretDB store (mongostore) for
// tests, in a temporary directory cleaned up with the test. It is imported
// by tests only, never by production code.
package loadertest

import (
	"context"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/loader/mongostore"
)

// Store starts an embedded store in a temporary directory and returns a
// connected loader and the store's URI; both are closed by t.Cleanup.
func Store(t testing.TB) (*mongostore.Store, string) {
	t.Helper()
	emb, err := mongostore.StartEmbedded(t.TempDir(), "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	m, err := mongostore.Open(context.Background(), mongostore.Config{URI: emb.URI()}, nil)
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
	emb  *mongostore.Embedded
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
	emb, err := mongostore.StartEmbedded(r.dir, r.addr, nil)
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
