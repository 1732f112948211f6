package loader

import (
	"context"

	"github.com/gatehouse/gatehouse/engine"
)

// DecisionsCollection holds decision logs written to MongoDB.
const DecisionsCollection = "decisions"

// DecisionSink writes decision log entries to the decisions collection.
type DecisionSink struct{ m *Mongo }

var _ engine.DecisionSink = DecisionSink{}

// DecisionSink returns a sink writing to this store.
func (m *Mongo) DecisionSink() DecisionSink { return DecisionSink{m: m} }

// Write inserts the entries in one batch.
func (s DecisionSink) Write(ctx context.Context, entries []engine.DecisionLogEntry) error {
	docs := make([]any, len(entries))
	for i, e := range entries {
		docs[i] = e
	}
	_, err := s.m.db.Collection(DecisionsCollection).InsertMany(ctx, docs)
	return storeError(err)
}
