// Package loadertest starts an embedded FerretDB store for tests.
package loadertest

import (
	"context"
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
