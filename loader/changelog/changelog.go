// Package changelog is the vocabulary the store writes and the syncer
// reads: one logged write (Entry), one changed document (Ref), the marker
// that asks for a full read (ResyncAll), and a stream of changes (Stream).
//
// It owns no behaviour and imports nothing of gatehouse, the MongoDB
// driver or Gin, so the syncer can follow a store without importing it.
package changelog

import (
	"context"
	"time"
)

// Collection is the MongoDB collection of the change log: every write
// made through gatehouse, so servers that share a store without change
// streams see writes and deletes without scanning every collection.
const Collection = "changes"

// ResyncAll as an entry's or a ref's collection means "read everything":
// the store logs it instead of one entry per document for large imports,
// and a change stream yields it for an event it cannot attribute.
const ResyncAll = "*"

// Entry is one logged write: of the document Collection/DocID, or, for a
// batch written together (an onboarding), of every document in Batch, so
// a server that follows the log applies the batch whole.
type Entry struct {
	ID         string    `bson:"_id"`
	Collection string    `bson:"collection"`
	DocID      string    `bson:"docId"`
	Batch      []Ref     `bson:"batch,omitempty"`
	At         time.Time `bson:"at"`
}

// Batch is the Collection of an entry that names its documents in Batch.
const Batch = "+batch"

// Ref names one changed document; Collection ResyncAll names them all.
type Ref struct {
	Collection string `bson:"collection"`
	ID         string `bson:"id"`
}

// Refs returns the documents the entry names.
func (e Entry) Refs() []Ref {
	if e.Collection == Batch {
		return e.Batch
	}
	return []Ref{{Collection: e.Collection, ID: e.DocID}}
}

// Stream yields the documents changed in the store, in order.
type Stream interface {
	// Next blocks until a document changes and returns it; ok is false
	// when the stream ended or ctx is done (see Err). A ref whose
	// Collection is ResyncAll asks for a full read.
	Next(ctx context.Context) (ref Ref, ok bool)
	// Err says why the stream ended; nil when ctx ended it.
	Err() error
	// Close releases the stream; Next returns false afterwards.
	Close(ctx context.Context) error
}
