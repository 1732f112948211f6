package syncer

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/changelog"
)

// maxPollFetch is the most changed documents one poll fetches one by one
// before a full resync is cheaper.
const maxPollFetch = 2000

// Poll applies the change log since the last poll.
func (s *Syncer) Poll(ctx context.Context) error {
	s.mu.Lock()
	since := s.since
	s.mu.Unlock()
	entries, err := s.m.Changes(ctx, since.Add(-changeOverlap))
	if err != nil {
		s.markDown(err)
		return err
	}
	fresh := s.unseen(entries)
	if needsResync(fresh) {
		if err := s.resync(ctx); err != nil {
			return err // nothing marked seen: the next poll tries again
		}
		s.markSeen(fresh, since)
		return nil
	}
	if err := s.applyFetched(ctx, fresh); err != nil {
		s.markDown(err)
		return err // nothing marked seen: the next poll tries again
	}
	s.markSeen(fresh, since)
	s.markOK(false)
	return nil
}

// needsResync reports whether the entries are cheaper to apply with a
// full read than document by document, or ask for one.
func needsResync(entries []changelog.Entry) bool {
	refs := 0
	for _, e := range entries {
		if e.Collection == changelog.ResyncAll {
			return true
		}
		refs += len(e.Refs())
	}
	return refs > maxPollFetch
}

// unseen returns the entries not applied yet.
func (s *Syncer) unseen(entries []changelog.Entry) []changelog.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []changelog.Entry
	for _, e := range entries {
		if _, ok := s.seen[e.ID]; !ok {
			out = append(out, e)
		}
	}
	return out
}

// markSeen records applied entries, moves since to the newest of them and
// forgets entries older than the overlap.
func (s *Syncer) markSeen(applied []changelog.Entry, since time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	latest := since
	for _, e := range applied {
		s.seen[e.ID] = e.At
		if e.At.After(latest) {
			latest = e.At
		}
	}
	for id, at := range s.seen {
		if at.Before(latest.Add(-2 * changeOverlap)) {
			delete(s.seen, id)
		}
	}
	s.since = latest
}

// applyFetched reads each changed document as it is now and applies them
// all, or none when a read fails.
func (s *Syncer) applyFetched(ctx context.Context, entries []changelog.Entry) error {
	var changes []engine.Change
	for _, e := range entries {
		for _, ref := range e.Refs() {
			doc, err := s.read(ctx, ref)
			if err != nil {
				return err
			}
			changes = append(changes, engine.Change{Collection: ref.Collection, ID: ref.ID, Doc: doc})
		}
	}
	_, err := s.e.Apply(ctx, changes)
	return err
}

// read returns a document as it is now: nil when deleted, or when invalid
// (skipped with a warning, as a snapshot would).
func (s *Syncer) read(ctx context.Context, ref changelog.Ref) (model.Document, error) {
	doc, err := s.m.Get(ctx, ref.Collection, ref.ID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case len(doc.Validate()) > 0:
		s.log.Warn("skipping invalid document", "collection", ref.Collection, "id", ref.ID)
		return nil, nil
	}
	return doc, nil
}

// resync reads everything, applies the differences and trims the change log.
func (s *Syncer) resync(ctx context.Context) error {
	start := time.Now()
	snap, err := s.m.Snapshot(ctx)
	if err != nil {
		s.markDown(err)
		return err
	}
	if rev, changed, err := s.e.Sync(ctx, snap, start.Add(-changeOverlap)); err != nil {
		s.log.Error("resync failed", "error", err)
		return err
	} else if changed {
		s.log.Info("resync applied outside changes", "revision", rev)
	}
	s.markOK(true)
	s.trim(ctx)
	return nil
}

// trim deletes change-log entries older than the retention.
func (s *Syncer) trim(ctx context.Context) {
	if err := s.m.TrimChanges(ctx, time.Now().Add(-s.cfg.ChangeRetention)); err != nil {
		s.log.Warn("trimming the change log failed", "error", err)
	}
}
