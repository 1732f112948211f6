package syncer

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/changelog"
)

// Source is the store a Syncer follows: *store.Mongo is the real one,
// tests use fakes. A method that cannot reach the store returns an error
// wrapping engine.ErrStoreUnavailable; the Syncer then reports the store
// down and tries again, answering from the data it holds meanwhile.
type Source interface {
	// Snapshot (engine.Source) returns every valid document.
	engine.Source
	// Get returns one document as it is now; model.ErrNotFound when absent.
	Get(ctx context.Context, collection, id string) (model.Document, error)
	// Changes returns the change log at or after since, oldest first.
	Changes(ctx context.Context, since time.Time) ([]changelog.Entry, error)
	// TrimChanges deletes change-log entries older than before.
	TrimChanges(ctx context.Context, before time.Time) error
	// Skipped counts, per collection, what the last Snapshot skipped.
	Skipped() map[string]int
	// Watch opens a change stream over every collection; an error when the
	// store offers none (FerretDB, a standalone MongoDB).
	Watch(ctx context.Context) (changelog.Stream, error)
}

// Engine is what a Syncer keeps equal to the store; *engine.Engine is the
// one. Each method returns the revision it made; an error leaves the
// engine answering from the data it held.
type Engine interface {
	// Refresh loads src's whole snapshot as a new revision.
	Refresh(ctx context.Context, src engine.Source) (uint64, error)
	// Apply applies changed documents (a nil Doc deletes);
	// engine.ErrNotReady before the first load.
	Apply(ctx context.Context, changes []engine.Change) (uint64, error)
	// Sync applies the differences between snap, read from readStart on,
	// and what the engine holds (loading snap whole before the first
	// load); changed is false when there were none.
	Sync(ctx context.Context, snap *model.Snapshot, readStart time.Time) (rev uint64, changed bool, err error)
}

var _ Engine = (*engine.Engine)(nil)
