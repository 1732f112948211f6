package loader

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// resyncAll as an entry's or event's collection means "read everything":
// Import logs it instead of one entry per document for large imports, and
// a change stream yields it for an event it cannot attribute.
const resyncAll = "*"

// Limits on work done document by document before a full resync is cheaper.
const (
	// maxImportEntries is the largest import logged entry by entry.
	maxImportEntries = 1000
	// maxPollFetch is the most changed documents one poll fetches one by one.
	maxPollFetch = 2000
	// maxPending is the most documents a change stream keeps waiting for a read.
	maxPending = 10000
)

// docRef names one document.
type docRef struct{ Collection, ID string }

// changeStream yields the documents changed in the store, in order.
type changeStream interface {
	// Next blocks until a document changes and returns it; ok is false
	// when the stream ended or ctx is done (see Err). A ref whose
	// Collection is resyncAll asks for a full read.
	Next(ctx context.Context) (ref docRef, ok bool)
	// Err says why the stream ended; nil when ctx ended it.
	Err() error
	Close(ctx context.Context) error
}

// needsResync reports whether the entries are cheaper to apply with a
// full read than document by document, or ask for one.
func needsResync(entries []ChangeEntry) bool {
	if len(entries) > maxPollFetch {
		return true
	}
	for _, e := range entries {
		if e.Collection == resyncAll {
			return true
		}
	}
	return false
}

// watch follows change streams until ctx is done (true) or the store
// offers none or the stream ends (false: poll instead).
func (s *Syncer) watch(ctx context.Context) bool {
	stream, err := s.m.Watch(ctx)
	if err != nil {
		s.log.Info("change streams unavailable; polling the change log", "interval", s.cfg.Interval.String(), "error", err)
		return false
	}
	defer stream.Close(context.Background())
	s.setMode(ModeChangeStreams)
	if s.follow(ctx, stream) {
		return true
	}
	s.log.Warn("change stream ended; falling back to polling", "error", stream.Err())
	_ = s.resync(ctx) // whatever the stream did not deliver
	return false
}

// follow applies the stream's changes until ctx is done (true) or the
// stream ends (false). A change whose document cannot be read stays
// pending and is read again every Interval until it applies; the change
// log is trimmed every ResyncInterval, since other servers may poll it.
func (s *Syncer) follow(ctx context.Context, stream changeStream) bool {
	events := make(chan docRef)
	go func() {
		defer close(events)
		for {
			ref, ok := stream.Next(ctx)
			if !ok {
				return
			}
			select {
			case events <- ref:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		for range events { // let the reader finish before the stream closes
		}
	}()
	retry := time.NewTicker(s.cfg.Interval)
	defer retry.Stop()
	trim := time.NewTicker(s.cfg.ResyncInterval)
	defer trim.Stop()
	pending := map[docRef]struct{}{}
	for {
		select {
		case <-ctx.Done():
			return true
		case ref, ok := <-events:
			if !ok {
				return ctx.Err() != nil
			}
			pending[ref] = struct{}{}
			s.applyPending(ctx, pending)
		case <-retry.C:
			if len(pending) > 0 {
				s.applyPending(ctx, pending)
			}
		case <-trim.C:
			s.trim(ctx)
		}
	}
}

// applyPending reads every pending document and applies those it could
// read, removing them from pending; the others stay for the next attempt.
// Too many pending documents, or a request for one, become a full resync.
func (s *Syncer) applyPending(ctx context.Context, pending map[docRef]struct{}) {
	_, all := pending[docRef{Collection: resyncAll}]
	if all || len(pending) > maxPending {
		if s.resync(ctx) == nil {
			clear(pending)
		}
		return
	}
	var changes []engine.Change
	var failed error
	for ref := range pending {
		doc, err := s.read(ctx, ref)
		if err != nil {
			failed = err
			continue
		}
		changes = append(changes, engine.Change{Collection: ref.Collection, ID: ref.ID, Doc: doc})
	}
	if _, err := s.e.Apply(ctx, changes); err != nil {
		s.markDown(err)
		return
	}
	for _, c := range changes {
		delete(pending, docRef{c.Collection, c.ID})
	}
	if failed != nil {
		s.markDown(failed)
		s.log.Warn("change stream: documents not read yet; retrying", "pending", len(pending), "error", failed)
		return
	}
	s.markOK(false)
}

// read returns a document as it is now: nil when deleted, or when invalid
// (skipped with a warning, as a snapshot would).
func (s *Syncer) read(ctx context.Context, ref docRef) (model.Document, error) {
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
