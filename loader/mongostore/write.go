package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/changelog"
)

func errUnknownCollection(c string) error {
	return fmt.Errorf("unknown collection %q: %w", c, model.ErrNotFound)
}

// Get returns one document, or model.ErrNotFound.
func (m *Store) Get(ctx context.Context, collection, id string) (model.Document, error) {
	doc := model.NewDocument(collection)
	if doc == nil {
		return nil, errUnknownCollection(collection)
	}
	err := m.db.Collection(collection).FindOne(ctx, bson.M{"_id": id}).Decode(doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("%s/%s: %w", collection, id, model.ErrNotFound)
	}
	if err != nil {
		return nil, storeError(err)
	}
	model.ApplyDefaults(doc)
	return doc, nil
}

// List returns up to limit documents with _id after the given one, by _id.
// Documents that do not decode are skipped.
func (m *Store) List(ctx context.Context, collection, after string, limit int) ([]model.Document, error) {
	if model.NewDocument(collection) == nil {
		return nil, errUnknownCollection(collection)
	}
	filter := bson.M{}
	if after != "" {
		filter["_id"] = bson.M{"$gt": after}
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit))
	cur, err := m.db.Collection(collection).Find(ctx, filter, opts)
	if err != nil {
		return nil, storeError(err)
	}
	defer cur.Close(ctx)
	out := []model.Document{}
	for cur.Next(ctx) {
		doc := model.NewDocument(collection)
		if err := cur.Decode(doc); err == nil {
			model.ApplyDefaults(doc)
			out = append(out, doc)
		}
	}
	return out, storeError(cur.Err())
}

// Put writes doc (upsert by _id) with version one above the stored one and
// updatedAt now, and logs the change. With ifMatch set, the stored version
// must equal it (0: must not exist) or it returns model.ErrConflict; a
// concurrent writer also yields model.ErrConflict.
func (m *Store) Put(ctx context.Context, collection string, doc model.Document, ifMatch *int64) (model.Document, error) {
	stored, err := m.put(ctx, collection, doc, ifMatch)
	if err != nil {
		return nil, err
	}
	return stored, m.logChange(ctx, collection, stored.DocMeta().ID)
}

// put is Put without logging the change.
func (m *Store) put(ctx context.Context, collection string, doc model.Document, ifMatch *int64) (model.Document, error) {
	meta := doc.DocMeta()
	cur, err := m.Get(ctx, collection, meta.ID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	var stored int64
	if cur != nil {
		stored = cur.DocMeta().Version
	}
	if ifMatch != nil && *ifMatch != stored {
		return nil, fmt.Errorf("%s/%s is at version %d, not %d: %w", collection, meta.ID, stored, *ifMatch, model.ErrConflict)
	}
	meta.Version, meta.UpdatedAt = stored+1, time.Now().UTC().Truncate(time.Millisecond)
	coll := m.db.Collection(collection)
	if cur == nil {
		_, err = coll.InsertOne(ctx, doc)
		if mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("%s/%s was created concurrently: %w", collection, meta.ID, model.ErrConflict)
		}
	} else {
		var res *mongo.UpdateResult
		res, err = coll.ReplaceOne(ctx, bson.M{"_id": meta.ID, "version": stored}, doc)
		if err == nil && res.MatchedCount == 0 {
			return nil, fmt.Errorf("%s/%s changed concurrently: %w", collection, meta.ID, model.ErrConflict)
		}
	}
	if err != nil {
		return nil, storeError(err)
	}
	return doc, nil
}

// Delete removes a document and logs the change, returning what was
// deleted; model.ErrNotFound when absent, model.ErrConflict when ifMatch
// differs from the stored version.
func (m *Store) Delete(ctx context.Context, collection, id string, ifMatch *int64) (model.Document, error) {
	cur, err := m.delete(ctx, collection, id, ifMatch)
	if err != nil {
		return nil, err
	}
	return cur, m.logChange(ctx, collection, id)
}

// delete is Delete without logging the change.
func (m *Store) delete(ctx context.Context, collection, id string, ifMatch *int64) (model.Document, error) {
	cur, err := m.Get(ctx, collection, id)
	if err != nil {
		return nil, err
	}
	if ifMatch != nil && *ifMatch != cur.DocMeta().Version {
		return nil, fmt.Errorf("%s/%s is at version %d, not %d: %w", collection, id, cur.DocMeta().Version, *ifMatch, model.ErrConflict)
	}
	res, err := m.db.Collection(collection).DeleteOne(ctx, bson.M{"_id": id, "version": cur.DocMeta().Version})
	if err != nil {
		return nil, storeError(err)
	}
	if res.DeletedCount == 0 {
		return nil, fmt.Errorf("%s/%s changed concurrently: %w", collection, id, model.ErrConflict)
	}
	return cur, nil
}

// Batch makes the writes in order, each as Put or Delete would, and logs
// them as one change-log entry, so servers that follow the log apply them
// together. It stops at the first write that fails and returns its error;
// the writes made before it stay and are logged, so every server still
// converges on what is stored. It returns the stored documents (nil for a
// delete), one per write made.
func (m *Store) Batch(ctx context.Context, writes []model.Write) ([]model.Document, error) {
	var out []model.Document
	var refs []changelog.Ref
	var failed error
	for _, w := range writes {
		var doc model.Document
		var err error
		if w.Doc != nil {
			doc, err = m.put(ctx, w.Collection, w.Doc, w.IfMatch)
		} else {
			_, err = m.delete(ctx, w.Collection, w.ID, w.IfMatch)
		}
		if err != nil {
			failed = err
			break
		}
		out = append(out, doc)
		refs = append(refs, changelog.Ref{Collection: w.Collection, ID: w.ID})
	}
	if len(refs) > 0 {
		if err := m.logBatch(ctx, refs); err != nil && failed == nil {
			failed = err
		}
	}
	return out, failed
}
