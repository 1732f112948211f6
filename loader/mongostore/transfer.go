package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/gatehouse/gatehouse/engine/model"
)

// maxImportEntries is the largest import logged entry by entry.
const maxImportEntries = 1000

// Import upserts every document of snap by _id. It first validates snap
// merged over what the store holds (so references may point at either) and
// writes nothing when anything is invalid, returning a *model.ValidationError.
// Each written document gets updatedAt now and version one above the
// stored one, and a change-log entry, so servers polling the log pick the
// import up within their sync interval rather than at the next resync. An
// import of more than maxImportEntries documents logs one entry asking for
// a full read instead: on FerretDB every poll scans the whole change log,
// and fetching that many documents one by one costs more than a read.
func (m *Store) Import(ctx context.Context, snap *model.Snapshot) error {
	existing, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	if problems := existing.Merge(snap).Validate(); len(problems) > 0 {
		return &model.ValidationError{Problems: problems}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	large := snapSize(snap) > maxImportEntries
	for _, c := range model.Collections {
		versions := map[string]int64{}
		for _, d := range existing.Docs(c) {
			versions[d.DocMeta().ID] = d.DocMeta().Version
		}
		docs := snap.Docs(c)
		err := m.upsert(ctx, c, docs, versions, now)
		// Log even when the upsert failed part way: an entry for a document
		// that did not change only makes pollers read it again.
		switch {
		case large && err != nil:
			err = errors.Join(err, m.logResync(ctx))
		case !large:
			err = errors.Join(err, m.logChanges(ctx, c, docs))
		}
		if err != nil {
			return fmt.Errorf("import %s: %w", c, err)
		}
	}
	if large {
		return m.logResync(ctx)
	}
	return nil
}

func snapSize(snap *model.Snapshot) int {
	n := 0
	for _, c := range model.Collections {
		n += len(snap.Docs(c))
	}
	return n
}

func (m *Store) upsert(ctx context.Context, collection string, docs []model.Document, versions map[string]int64, now time.Time) error {
	coll := m.db.Collection(collection)
	var fresh []any
	for _, d := range docs {
		meta := d.DocMeta()
		old, exists := versions[meta.ID]
		meta.Version, meta.UpdatedAt = old+1, now
		if !exists {
			fresh = append(fresh, d)
			continue
		}
		_, err := coll.ReplaceOne(ctx, bson.M{"_id": meta.ID}, d, options.Replace().SetUpsert(true))
		if err != nil {
			return err
		}
	}
	for start := 0; start < len(fresh); start += insertBatch {
		end := min(start+insertBatch, len(fresh))
		if _, err := coll.InsertMany(ctx, fresh[start:end]); err != nil {
			return err
		}
	}
	return nil
}
