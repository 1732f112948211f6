package loader

import (
	"context"
	"fmt"
	"time"

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
// stored one.
func (m *Mongo) Import(ctx context.Context, snap *model.Snapshot) error {
	existing, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	if problems := existing.Merge(snap).Validate(); len(problems) > 0 {
		return &model.ValidationError{Problems: problems}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, c := range model.Collections {
		versions := map[string]int64{}
		for _, d := range existing.Docs(c) {
			versions[d.DocMeta().ID] = d.DocMeta().Version
		}
		if err := m.upsert(ctx, c, snap.Docs(c), versions, now); err != nil {
			return fmt.Errorf("import %s: %w", c, err)
		}
	}
	return nil
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

// Export reads every valid document (see Snapshot).
func (m *Mongo) Export(ctx context.Context) (*model.Snapshot, error) { return m.Snapshot(ctx) }
