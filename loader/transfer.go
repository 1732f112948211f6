package loader

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/gatehouse/gatehouse/engine/model"
)

// insertBatch is how many new documents one InsertMany carries.
const insertBatch = 1000

// Import upserts every document of snap by _id. It first validates snap
// merged over what the store holds (so references may point at either) and
// writes nothing when anything is invalid, returning a *model.ValidationError.
// Each written document gets updatedAt now and version one above the
// stored one, and a change-log entry, so servers polling the log pick the
// import up within their sync interval rather than at the next resync. An
// import of more than maxImportEntries documents logs one entry asking for
// a full read instead: on FerretDB every poll scans the whole change log,
// and fetching that many documents one by one costs more than a read.
func (m *Mongo) Import(ctx context.Context, snap *model.Snapshot) error {
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

// logResync logs one entry asking every server for a full read.
func (m *Mongo) logResync(ctx context.Context) error {
	entry := ChangeEntry{ID: uuid.Must(uuid.NewV7()).String(), Collection: resyncAll, At: time.Now().UTC()}
	_, err := m.db.Collection(ChangesCollection).InsertOne(ctx, entry)
	return storeError(err)
}

func (m *Mongo) upsert(ctx context.Context, collection string, docs []model.Document, versions map[string]int64, now time.Time) error {
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

// logChanges appends a change-log entry per document, many per insert.
func (m *Mongo) logChanges(ctx context.Context, collection string, docs []model.Document) error {
	at := time.Now().UTC()
	entries := make([]any, 0, min(len(docs), insertBatch))
	flush := func() error {
		if len(entries) == 0 {
			return nil
		}
		_, err := m.db.Collection(ChangesCollection).InsertMany(ctx, entries)
		entries = entries[:0]
		return storeError(err)
	}
	for _, d := range docs {
		entries = append(entries, ChangeEntry{ID: uuid.Must(uuid.NewV7()).String(), Collection: collection, DocID: d.DocMeta().ID, At: at})
		if len(entries) == insertBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Export reads every valid document (see Snapshot).
func (m *Mongo) Export(ctx context.Context) (*model.Snapshot, error) { return m.Snapshot(ctx) }
