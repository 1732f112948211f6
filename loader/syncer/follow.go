package syncer

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/loader/changelog"
)

// maxPending is the most documents a change stream keeps waiting for a
// read before a full resync is cheaper.
const maxPending = 10000

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
func (s *Syncer) follow(ctx context.Context, stream changelog.Stream) bool {
	events := make(chan changelog.Ref)
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
	pending := map[changelog.Ref]struct{}{}
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
func (s *Syncer) applyPending(ctx context.Context, pending map[changelog.Ref]struct{}) {
	_, all := pending[changelog.Ref{Collection: changelog.ResyncAll}]
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
		delete(pending, changelog.Ref{Collection: c.Collection, ID: c.ID})
	}
	if failed != nil {
		s.markDown(failed)
		s.log.Warn("change stream: documents not read yet; retrying", "pending", len(pending), "error", failed)
		return
	}
	s.markOK(false)
}
