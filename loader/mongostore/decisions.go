package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/gatehouse/gatehouse/engine/decisionlog"
)

// DecisionsCollection holds decision logs written to MongoDB.
const DecisionsCollection = "decisions"

// DecisionSink writes decision log entries to the decisions collection.
type DecisionSink struct{ m *Store }

var _ decisionlog.Sink = DecisionSink{}

// DecisionSink returns a sink writing to this store.
func (m *Store) DecisionSink() DecisionSink { return DecisionSink{m: m} }

// Write inserts the entries in one batch, one document per entry.
func (s DecisionSink) Write(ctx context.Context, entries []decisionlog.Entry) error {
	docs := make([]any, len(entries))
	for i, e := range entries {
		docs[i] = bson.D{
			{Key: "_id", Value: e.DecisionID}, {Key: "time", Value: e.Time}, {Key: "path", Value: e.Path},
			{Key: "input", Value: e.Input}, {Key: "result", Value: e.Result},
			{Key: "revision", Value: e.Revision}, {Key: "latencyNs", Value: e.LatencyNS},
		}
	}
	_, err := s.m.db.Collection(DecisionsCollection).InsertMany(ctx, docs)
	return storeError(err)
}
