package index

import (
	"time"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Diff lists the changes that make the loaded documents equal to snap:
// documents added, changed or gone. readStart is when the snapshot's read
// began: a loaded document updated after it is newer than the snapshot
// and is not deleted.
func (ix *Indexer) Diff(snap *model.Snapshot, readStart time.Time) []Change {
	var out []Change
	for _, c := range model.Collections {
		seen := map[string]bool{}
		for _, d := range snap.Docs(c) {
			id := d.DocMeta().ID
			seen[id] = true
			if old, ok := ix.stamps[c][id]; !ok || !old.same(d) {
				out = append(out, Change{Collection: c, ID: id, Doc: d})
			}
		}
		for id, old := range ix.stamps[c] {
			if !seen[id] && old.updated < unixNanos(readStart) {
				out = append(out, Change{Collection: c, ID: id})
			}
		}
	}
	return out
}
