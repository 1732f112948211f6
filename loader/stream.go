package loader

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Watch opens a change stream over the database. MongoDB offers change
// streams only on replica sets and sharded clusters; elsewhere (FerretDB,
// a standalone server) it returns the driver's error.
func (m *Mongo) Watch(ctx context.Context) (changeStream, error) {
	stream, err := m.db.Watch(ctx, mongo.Pipeline{})
	if err != nil {
		return nil, storeError(err)
	}
	return &mongoStream{stream: stream}, nil
}

// mongoStream adapts the driver's change stream to changeStream.
type mongoStream struct{ stream *mongo.ChangeStream }

// Next returns the next change to a gatehouse collection. Changes to
// other collections (the change log itself) are skipped; an event whose
// document key does not decode asks for a full read rather than being lost.
func (s *mongoStream) Next(ctx context.Context) (docRef, bool) {
	for s.stream.Next(ctx) {
		var ev struct {
			NS struct {
				Coll string `bson:"coll"`
			} `bson:"ns"`
			Key bson.Raw `bson:"documentKey"`
		}
		if err := s.stream.Decode(&ev); err != nil {
			return docRef{Collection: resyncAll}, true
		}
		if model.NewDocument(ev.NS.Coll) == nil {
			continue
		}
		id, ok := ev.Key.Lookup("_id").StringValueOK()
		if !ok {
			return docRef{Collection: resyncAll}, true
		}
		return docRef{Collection: ev.NS.Coll, ID: id}, true
	}
	return docRef{}, false
}

func (s *mongoStream) Err() error { return s.stream.Err() }

func (s *mongoStream) Close(ctx context.Context) error { return s.stream.Close(ctx) }
