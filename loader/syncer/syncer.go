package syncer

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// changeOverlap re-reads this much of the change log on every poll, so
// writers whose clocks run a little behind are not missed.
const changeOverlap = 5 * time.Second

// Sync modes reported in Status.
const (
	ModeStarting      = "starting"
	ModeChangeStreams = "change_streams"
	ModePolling       = "polling"
)

// Status reports how fresh the engine's data is.
type Status struct {
	Mode             string     `json:"mode"`
	LastSync         *time.Time `json:"lastSync"`
	LastFullSync     *time.Time `json:"lastFullSync"`
	UnavailableSince *time.Time `json:"unavailableSince"`
	LastError        string     `json:"-"` // logged, not shown to clients
}

// Syncer keeps an engine equal to the store: a full load at start, then
// change streams where the store has them, else polling the change log
// every Interval, plus a full diffing resync every ResyncInterval. The
// change log is trimmed to ChangeRetention in either mode.
type Syncer struct {
	m   Source
	e   Engine
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	status Status
	since  time.Time
	seen   map[string]time.Time
}

// New returns a syncer of e to src; call Run.
func New(src Source, e Engine, cfg Config, log *slog.Logger) *Syncer {
	return &Syncer{m: src, e: e, cfg: cfg.withDefaults(), log: log, status: Status{Mode: ModeStarting}, seen: map[string]time.Time{}}
}

// Status returns the current sync status.
func (s *Syncer) Status() Status {
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
