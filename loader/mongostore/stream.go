package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/changelog"
)

// Watch opens a change stream over the database. MongoDB offers change
// streams only on replica sets and sharded clusters; elsewhere (FerretDB,
// a standalone server) it returns the driver's error, wrapping
// engine.ErrStoreUnavailable when the store is out of reach.
func (m *Store) Watch(ctx context.Context) (changelog.Stream, error) {
	stream, err := m.db.Watch(ctx, mongo.Pipeline{})
	if err != nil {
		return nil, storeError(err)
	}
	return &mongoStream{stream: stream}, nil
}

// mongoStream adapts the driver's change stream to changelog.Stream.
type mongoStream struct{ stream *mongo.ChangeStream }

// Next returns the next change to a gatehouse collection. Changes to
// other collections (the change log itself) are skipped; an event whose
// document key does not decode asks for a full read rather than being lost.
func (s *mongoStream) Next(ctx context.Context) (changelog.Ref, bool) {
	for s.stream.Next(ctx) {
		var ev struct {
			NS struct {
				Coll string `bson:"coll"`
			} `bson:"ns"`
			Key bson.Raw `bson:"documentKey"`
		}
		if err := s.stream.Decode(&ev); err != nil {
			return changelog.Ref{Collection: changelog.ResyncAll}, true
		}
		if model.NewDocument(ev.NS.Coll) == nil {
			continue
		}
		id, ok := ev.Key.Lookup("_id").StringValueOK()
		if !ok {
			return changelog.Ref{Collection: changelog.ResyncAll}, true
		}
		return changelog.Ref{Collection: ev.NS.Coll, ID: id}, true
	}
	return changelog.Ref{}, false
}

func (s *mongoStream) Err() error { return s.stream.Err() }

func (s *mongoStream) Close(ctx context.Context) error { return s.stream.Close(ctx) }
