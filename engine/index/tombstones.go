package index

import (
	"time"

	"github.com/gatehouse/gatehouse/engine/model"
)

// tombstoneTTL is how long the Indexer remembers a deleted write: longer
// than any snapshot read or poll takes, so neither can bring it back.
const tombstoneTTL = 10 * time.Minute

// tombstone is the last write of a deleted document and when it went.
type tombstone struct {
	stamp stamp
	at    time.Time
}

// buriedRef names a tombstone, in the order they were made.
type buriedRef struct {
	collection, id string
	at             time.Time
}

// bury remembers the loaded write of collection/id as deleted.
func (ix *Indexer) bury(collection, id string) {
	st, ok := ix.stamps[collection][id]
	if !ok {
		return
	}
	if ix.gone == nil {
		ix.gone = map[string]map[string]tombstone{}
	}
	if ix.gone[collection] == nil {
		ix.gone[collection] = map[string]tombstone{}
	}
	now := time.Now()
	ix.gone[collection][id] = tombstone{stamp: st, at: now}
	ix.buried = append(ix.buried, buriedRef{collection: collection, id: id, at: now})
}

// unbury forgets the tombstone of a document written again.
func (ix *Indexer) unbury(collection, id string) {
	delete(ix.gone[collection], id)
}

// stale reports whether doc is the deleted write of its document, or an
// older one: a snapshot read or a poll that fetched it before the delete
// was applied must not bring it back. A document created again after the
// delete is a later write and is not stale.
func (ix *Indexer) stale(collection string, doc model.Document) bool {
	t, ok := ix.gone[collection][doc.DocMeta().ID]
	if !ok || time.Since(t.at) > tombstoneTTL {
		return false
	}
	return t.stamp.same(doc) || !later(doc.DocMeta(), t.stamp)
}

// later reports whether a was written after the write b records.
func later(a *model.Meta, b stamp) bool { return unixNanos(a.UpdatedAt) > b.updated }

// pruneTombstones forgets tombstones older than tombstoneTTL.
func (ix *Indexer) pruneTombstones() {
	n := 0
	for n < len(ix.buried) && time.Since(ix.buried[n].at) > tombstoneTTL {
		r := ix.buried[n]
		if t, ok := ix.gone[r.collection][r.id]; ok && t.at.Equal(r.at) {
			delete(ix.gone[r.collection], r.id)
		}
		n++
	}
	ix.buried = ix.buried[n:]
}
