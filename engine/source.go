package engine

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/engine/model"
)

// ErrStoreUnavailable is returned by a Source (and by stores generally)
// when the store cannot be reached in time.
var ErrStoreUnavailable = errors.New("store unavailable")

// Source provides complete snapshots of the stored documents.
type Source interface {
	// Snapshot reads every collection. Invalid documents are skipped (and
	// counted by the source), never returned as errors; an error means the
	// store could not be read and nothing was loaded.
	Snapshot(ctx context.Context) (*model.Snapshot, error)
}

// Refresh reads a snapshot from src and loads it as a new revision. On
// error the current revision stays in place.
func (e *Engine) Refresh(ctx context.Context, src Source) (uint64, error) {
	snap, err := src.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	return e.Load(ctx, snap)
}
