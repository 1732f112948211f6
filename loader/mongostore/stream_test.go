package mongostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/changelog"
	"github.com/gatehouse/gatehouse/loader/loadertest"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/loader/syncer"
)

// The store is what a server's syncer follows.
var _ syncer.Source = (*mongostore.Store)(nil)

// TestWatchOnTheStore opens a real change stream. FerretDB has none, so
// here it checks that Watch reports that and skips; the following logic
// itself is covered in the syncer with a fake stream.
func TestWatchOnTheStore(t *testing.T) {
	m, _ := loadertest.Store(t)
	stream, err := m.Watch(t.Context())
	if err != nil {
		t.Skipf("real change streams require a MongoDB replica set; this store has none (%v): the follow logic is tested with a fake stream", err)
	}
	defer stream.Close(context.Background())
	if _, err := m.Put(t.Context(), model.Roles, &model.Role{Meta: model.Meta{ID: "watched"}, Name: "w", Permissions: []model.Permission{{Action: "a"}}}, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ref, ok := stream.Next(ctx)
	if !ok || ref != (changelog.Ref{Collection: model.Roles, ID: "watched"}) {
		t.Fatalf("stream gave %+v, %v (err %v)", ref, ok, stream.Err())
	}
}
