package mongostore

import (
	"context"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/changelog"
)

// insertBatch is how many documents one InsertMany carries.
const insertBatch = 1000

// Changes returns the logged changes at or after since, oldest first; an
// error wrapping engine.ErrStoreUnavailable when the store is out of reach.
func (m *Store) Changes(ctx context.Context, since time.Time) ([]changelog.Entry, error) {
	m.indexChanges(ctx)
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}})
	cur, err := m.changes().Find(ctx, bson.M{"at": bson.M{"$gte": since}}, opts)
	if err != nil {
		return nil, storeError(err)
	}
	var out []changelog.Entry
	if err := cur.All(ctx, &out); err != nil {
		return nil, storeError(err)
	}
	return out, nil
}

// TrimChanges deletes logged changes older than before.
func (m *Store) TrimChanges(ctx context.Context, before time.Time) error {
	_, err := m.changes().DeleteMany(ctx, bson.M{"at": bson.M{"$lt": before}})
	return storeError(err)
}

func (m *Store) changes() *mongo.Collection { return m.db.Collection(changelog.Collection) }

// indexChanges creates the index that polls and trims by "at" use, once;
// a failure is logged and tried again at the next poll.
func (m *Store) indexChanges(ctx context.Context) {
	if m.changesIndexed.Load() {
		return
	}
	_, err := m.changes().Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "at", Value: 1}}})
	if err != nil {
		m.log.Warn("could not index the change log; polls scan it", "error", err)
		return
	}
	m.changesIndexed.Store(true)
}

func newEntry(collection, docID string, at time.Time) changelog.Entry {
	return changelog.Entry{ID: uuid.Must(uuid.NewV7()).String(), Collection: collection, DocID: docID, At: at}
}

// logChange appends one entry to the change log.
func (m *Store) logChange(ctx context.Context, collection, id string) error {
	_, err := m.changes().InsertOne(ctx, newEntry(collection, id, time.Now().UTC()))
	return storeError(err)
}

// logBatch logs one entry naming every document of a batch.
func (m *Store) logBatch(ctx context.Context, refs []changelog.Ref) error {
	e := newEntry(changelog.Batch, "", time.Now().UTC())
	e.Batch = refs
	_, err := m.changes().InsertOne(ctx, e)
	return storeError(err)
}

// logResync logs one entry asking every server for a full read.
func (m *Store) logResync(ctx context.Context) error {
	return m.logChange(ctx, changelog.ResyncAll, "")
}

// logChanges appends a change-log entry per document, many per insert.
func (m *Store) logChanges(ctx context.Context, collection string, docs []model.Document) error {
	at := time.Now().UTC()
	entries := make([]any, 0, min(len(docs), insertBatch))
	flush := func() error {
		if len(entries) == 0 {
			return nil
		}
		_, err := m.changes().InsertMany(ctx, entries)
		entries = entries[:0]
		return storeError(err)
	}
	for _, d := range docs {
		entries = append(entries, newEntry(collection, d.DocMeta().ID, at))
		if len(entries) == insertBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
