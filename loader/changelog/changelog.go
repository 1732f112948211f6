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

// Entry is one logged write.
type Entry struct {
	ID         string    `bson:"_id"`
	Collection string    `bson:"collection"`
	DocID      string    `bson:"docId"`
	At         time.Time `bson:"at"`
}

// Ref names one changed document; Collection ResyncAll names them all.
type Ref struct{ Collection, ID string }

// Ref returns the document the entry names.
func (e Entry) Ref() Ref { return Ref{Collection: e.Collection, ID: e.DocID} }

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
