package loader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Defaults for SyncConfig.
const (
	DefaultSyncInterval    = time.Second
	DefaultResyncInterval  = 30 * time.Second
	DefaultChangeRetention = 10 * time.Minute
	// changeOverlap re-reads this much of the change log on every poll, so
	// writers whose clocks run a little behind are not missed.
	changeOverlap = 5 * time.Second
)

// Sync modes reported in SyncStatus.
const (
	ModeStarting      = "starting"
	ModeChangeStreams = "change_streams"
	ModePolling       = "polling"
)

// SyncConfig tunes how a server follows the store.
type SyncConfig struct {
	Interval        time.Duration // change-log poll period
	ResyncInterval  time.Duration // full read and diff period; catches outside writes
	ChangeRetention time.Duration // change-log entries older than this are trimmed
}

// Validate reports every problem with the config; zero means the default.
func (c SyncConfig) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"sync interval", c.Interval}, {"resync interval", c.ResyncInterval}, {"change retention", c.ChangeRetention}} {
		if f.d < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative", f.name))
		}
	}
	return errors.Join(errs...)
}

func (c SyncConfig) withDefaults() SyncConfig {
	if c.Interval <= 0 {
		c.Interval = DefaultSyncInterval
	}
	if c.ResyncInterval <= 0 {
		c.ResyncInterval = DefaultResyncInterval
	}
	if c.ChangeRetention <= 0 {
		c.ChangeRetention = DefaultChangeRetention
	}
	return c
}

// SyncStatus reports how fresh the engine's data is.
type SyncStatus struct {
	Mode             string     `json:"mode"`
	LastSync         *time.Time `json:"lastSync"`
	LastFullSync     *time.Time `json:"lastFullSync"`
	UnavailableSince *time.Time `json:"unavailableSince"`
	LastError        string     `json:"-"` // logged, not shown to clients
}

// syncSource is the store a Syncer follows; *Mongo is the real one, tests
// use fakes.
type syncSource interface {
	engine.Source // Snapshot: every valid document, or an error
	// Get returns one document as it is now; model.ErrNotFound when absent.
	Get(ctx context.Context, collection, id string) (model.Document, error)
	// Changes returns the change log at or after since, oldest first.
	Changes(ctx context.Context, since time.Time) ([]ChangeEntry, error)
	// TrimChanges deletes change-log entries older than before.
	TrimChanges(ctx context.Context, before time.Time) error
	// Skipped counts, per collection, what the last Snapshot skipped.
	Skipped() map[string]int
	// Watch opens a change stream over every collection; an error when the
	// store offers none (FerretDB, a standalone MongoDB).
	Watch(ctx context.Context) (changeStream, error)
}

var _ syncSource = (*Mongo)(nil)

// Syncer keeps an engine equal to the store: a full load at start, then
// change streams where the store has them, else polling the change log
// every Interval, plus a full diffing resync every ResyncInterval. The
// change log is trimmed to ChangeRetention in either mode.
type Syncer struct {
	m   syncSource
	e   *engine.Engine
	cfg SyncConfig
	log *slog.Logger

	mu     sync.Mutex
	status SyncStatus
	since  time.Time
	seen   map[string]time.Time
}

// NewSyncer returns a syncer; call Run.
func NewSyncer(m *Mongo, e *engine.Engine, cfg SyncConfig, log *slog.Logger) *Syncer {
	return newSyncer(m, e, cfg, log)
}

func newSyncer(m syncSource, e *engine.Engine, cfg SyncConfig, log *slog.Logger) *Syncer {
	return &Syncer{m: m, e: e, cfg: cfg.withDefaults(), log: log, status: SyncStatus{Mode: ModeStarting}, seen: map[string]time.Time{}}
}

// Status returns the current sync status.
func (s *Syncer) Status() SyncStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Run loads everything, then follows changes until ctx is done.
func (s *Syncer) Run(ctx context.Context) {
	s.initialLoad(ctx)
	if ctx.Err() != nil {
		return
	}
	if s.watch(ctx) {
		return
	}
	s.setMode(ModePolling)
	poll := time.NewTicker(s.cfg.Interval)
	defer poll.Stop()
	resync := time.NewTicker(s.cfg.ResyncInterval)
	defer resync.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			wasDown := s.Status().UnavailableSince != nil
			if err := s.Poll(ctx); err == nil && wasDown {
				_ = s.resync(ctx) // the log may have been trimmed while we were away
			}
		case <-resync.C:
			_ = s.resync(ctx) // marks the store down on failure
		}
	}
}

func (s *Syncer) initialLoad(ctx context.Context) {
	for ctx.Err() == nil {
		start := time.Now()
		rev, err := s.e.Refresh(ctx, s.m)
		if err == nil {
			s.mu.Lock()
			s.since = start.Add(-changeOverlap)
			s.mu.Unlock()
			s.markOK(true)
			debug.FreeOSMemory() // give back what loading a large store left behind
			s.log.Info("data loaded", "revision", rev, "took", time.Since(start).String(), "skipped", fmt.Sprint(s.m.Skipped()))
			return
		}
		s.markDown(err)
		s.log.Error("initial load failed; retrying", "error", err)
		sleep(ctx, time.Second)
	}
}

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
	refs := make([][2]string, len(fresh))
	for i, e := range fresh {
		refs[i] = [2]string{e.Collection, e.DocID}
	}
	if err := s.applyFetched(ctx, refs); err != nil {
		s.markDown(err)
		return err // nothing marked seen: the next poll tries again
	}
	s.markSeen(fresh, since)
	s.markOK(false)
	return nil
}

// unseen returns the entries not applied yet.
func (s *Syncer) unseen(entries []ChangeEntry) []ChangeEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ChangeEntry
	for _, e := range entries {
		if _, ok := s.seen[e.ID]; !ok {
			out = append(out, e)
		}
	}
	return out
}

// markSeen records applied entries, moves since to the newest of them and
// forgets entries older than the overlap.
func (s *Syncer) markSeen(applied []ChangeEntry, since time.Time) {
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

// applyFetched reads each changed document as it is now and applies it.
func (s *Syncer) applyFetched(ctx context.Context, refs [][2]string) error {
	var changes []engine.Change
	for _, ref := range refs {
		doc, err := s.m.Get(ctx, ref[0], ref[1])
		switch {
		case errors.Is(err, model.ErrNotFound):
			doc = nil
		case err != nil:
			return err
		case len(doc.Validate()) > 0:
			s.log.Warn("skipping invalid document", "collection", ref[0], "id", ref[1])
			doc = nil
		}
		changes = append(changes, engine.Change{Collection: ref[0], ID: ref[1], Doc: doc})
	}
	_, err := s.e.Apply(ctx, changes)
	return err
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

func (s *Syncer) setMode(mode string) {
	s.mu.Lock()
	s.status.Mode = mode
	s.mu.Unlock()
}

func (s *Syncer) markOK(full bool) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status.UnavailableSince != nil {
		s.log.Info("store reachable again", "down_for", now.Sub(*s.status.UnavailableSince).String())
	}
	s.status.LastSync, s.status.UnavailableSince, s.status.LastError = &now, nil, ""
	if full {
		s.status.LastFullSync = &now
	}
}

func (s *Syncer) markDown(err error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status.UnavailableSince == nil {
		s.status.UnavailableSince = &now
		s.log.Error("store unavailable; answering from the last good data", "error", err)
	}
	s.status.LastError = err.Error()
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
