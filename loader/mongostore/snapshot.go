package mongostore

import (
	"context"
	"fmt"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Snapshot reads every collection. Documents that do not decode or fail
// validation are skipped with a warning and counted (see Skipped). It
// returns an error wrapping engine.ErrStoreUnavailable when the store cannot be read.
func (m *Store) Snapshot(ctx context.Context) (*model.Snapshot, error) {
	snap := &model.Snapshot{}
	skipped := map[string]int{}
	for _, c := range model.Collections {
		n, err := m.read(ctx, c, snap)
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %w", engine.ErrStoreUnavailable, c, err)
		}
		skipped[c] = n
	}
	m.setSkipped(skipped)
	return snap, nil
}

// Export reads every valid document (see Snapshot).
func (m *Store) Export(ctx context.Context) (*model.Snapshot, error) { return m.Snapshot(ctx) }

// read reads one collection into snap and returns how many documents it
// skipped as undecodable or invalid.
func (m *Store) read(ctx context.Context, collection string, snap *model.Snapshot) (int, error) {
	cur, err := m.db.Collection(collection).Find(ctx, map[string]any{})
	if err != nil {
		return 0, err
	}
	defer cur.Close(ctx)
	skipped := 0
	for cur.Next(ctx) {
		doc := model.NewDocument(collection)
		if err := cur.Decode(doc); err != nil {
			m.log.Warn("skipping document that does not decode", "collection", collection, "id", cur.Current.Lookup("_id").String(), "error", err)
			skipped++
			continue
		}
		model.ApplyDefaults(doc)
		if problems := doc.Validate(); len(problems) > 0 {
			m.log.Warn("skipping invalid document", "collection", collection, "id", doc.DocMeta().ID, "problems", fmt.Sprint(problems))
			skipped++
			continue
		}
		snap.Add(collection, doc)
	}
	return skipped, cur.Err()
}
