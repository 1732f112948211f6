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
	readers := map[string]func(context.Context) (int, error){
		model.Roles:         reader(m, model.Roles, &snap.Roles),
		model.Records:       reader(m, model.Records, &snap.Records),
		model.Groups:        reader(m, model.Groups, &snap.Groups),
		model.Memberships:   reader(m, model.Memberships, &snap.Memberships),
		model.Extensions:    reader(m, model.Extensions, &snap.Extensions),
		model.Installations: reader(m, model.Installations, &snap.Installations),
		model.Tenants:       reader(m, model.Tenants, &snap.Tenants),
		model.Policies:      reader(m, model.Policies, &snap.Policies),
	}
	for _, c := range model.Collections {
		n, err := readers[c](ctx)
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

// reader returns a function that reads one collection into *out and
// returns how many documents it skipped.
func reader[T any, P interface {
	*T
	model.Document
}](m *Store, collection string, out *[]T) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		cur, err := m.db.Collection(collection).Find(ctx, map[string]any{})
		if err != nil {
			return 0, err
		}
		defer cur.Close(ctx)
		skipped := 0
		for cur.Next(ctx) {
			var doc T
			if err := cur.Decode(&doc); err != nil {
				m.log.Warn("skipping document that does not decode", "collection", collection, "id", cur.Current.Lookup("_id").String(), "error", err)
				skipped++
				continue
			}
			model.ApplyDefaults(P(&doc))
			if problems := P(&doc).Validate(); len(problems) > 0 {
				m.log.Warn("skipping invalid document", "collection", collection, "id", P(&doc).DocMeta().ID, "problems", fmt.Sprint(problems))
				skipped++
				continue
			}
			*out = append(*out, doc)
		}
		return skipped, cur.Err()
	}
}
