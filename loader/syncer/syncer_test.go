package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/changelog"
)

// fakeSource is an in-memory Source whose reads can be made to fail
// and whose change stream the test drives.
type fakeSource struct {
	mu        sync.Mutex
	roles     map[string]model.Role
	failGets  int // the next failGets reads fail as if the store were away
	gets      int
	snapshots int
	trims     []time.Time
	stream    *fakeStream // nil: no change streams
	changes   []changelog.Entry
}

var _ Source = (*fakeSource)(nil)

func newFakeSource() *fakeSource { return &fakeSource{roles: map[string]model.Role{}} }

func (f *fakeSource) put(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roles[id] = model.Role{Meta: model.Meta{ID: id}, Name: id, Permissions: []model.Permission{{Action: "chats:read"}}}
}

func (f *fakeSource) Snapshot(context.Context) (*model.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snapshots++
	snap := &model.Snapshot{}
	for _, r := range f.roles {
		snap.Roles = append(snap.Roles, r)
	}
	return snap, nil
}

func (f *fakeSource) Get(_ context.Context, collection, id string) (model.Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if f.failGets > 0 {
		f.failGets--
		return nil, fmt.Errorf("%w: read %s/%s: connection reset", engine.ErrStoreUnavailable, collection, id)
	}
	r, ok := f.roles[id]
	if collection != model.Roles || !ok {
		return nil, fmt.Errorf("%s/%s: %w", collection, id, model.ErrNotFound)
	}
	return &r, nil
}

func (f *fakeSource) Changes(_ context.Context, since time.Time) ([]changelog.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []changelog.Entry
	for _, c := range f.changes {
		if !c.At.Before(since) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeSource) TrimChanges(_ context.Context, before time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trims = append(f.trims, before)
	return nil
}

func (f *fakeSource) Skipped() map[string]int { return nil }

func (f *fakeSource) Watch(context.Context) (changelog.Stream, error) {
	if f.stream == nil {
		return nil, errors.New("no change streams here")
	}
	return f.stream, nil
}

func (f *fakeSource) counts() (gets, snapshots, trims int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gets, f.snapshots, len(f.trims)
}

// fakeStream delivers the refs sent on events; closing events ends it
// with err.
type fakeStream struct {
	events chan changelog.Ref
	err    error
}

func (s *fakeStream) Next(ctx context.Context) (changelog.Ref, bool) {
	select {
	case ref, ok := <-s.events:
		return ref, ok
	case <-ctx.Done():
		return changelog.Ref{}, false
	}
}

func (s *fakeStream) Err() error                  { return s.err }
func (s *fakeStream) Close(context.Context) error { return nil }

// runSyncer runs a syncer over src until the test ends.
func runSyncer(t *testing.T, src *fakeSource, cfg Config) (*Syncer, *engine.Engine) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := engine.New(log)
	s := New(src, e, cfg, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return s, e
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: not within 5s", what)
}

func TestFollowRetriesAnEventWhoseReadFails(t *testing.T) {
	src := newFakeSource()
	src.stream = &fakeStream{events: make(chan changelog.Ref)}
	s, e := runSyncer(t, src, Config{Interval: 10 * time.Millisecond, ResyncInterval: time.Hour})
	eventually(t, "stream mode", func() bool { return s.Status().Mode == ModeChangeStreams })

	src.put("editor")
	src.mu.Lock()
	src.failGets = 3
	src.mu.Unlock()
	src.stream.events <- changelog.Ref{Collection: model.Roles, ID: "editor"}
	eventually(t, "the change applies once the store reads again", func() bool { return e.Has(model.Roles, "editor") })
	if gets, snapshots, _ := src.counts(); gets < 4 || snapshots != 1 {
		t.Errorf("gets %d (want at least 4: three failures and a read), snapshots %d (want 1: no resync needed)", gets, snapshots)
	}
	eventually(t, "status recovers", func() bool { return s.Status().UnavailableSince == nil })
}

func TestFollowTrimsTheChangeLog(t *testing.T) {
	src := newFakeSource()
	src.stream = &fakeStream{events: make(chan changelog.Ref)}
	const retention = 3 * time.Minute
	runSyncer(t, src, Config{Interval: 10 * time.Millisecond, ResyncInterval: 20 * time.Millisecond, ChangeRetention: retention})
	eventually(t, "trimmed twice", func() bool { _, _, trims := src.counts(); return trims >= 2 })
	src.mu.Lock()
	before := src.trims[len(src.trims)-1]
	src.mu.Unlock()
	if age := time.Since(before); age < retention || age > retention+time.Second {
		t.Errorf("trimmed entries older than %v ago, want %v", age, retention)
	}
}

func TestFollowResyncsWhenAsked(t *testing.T) {
	src := newFakeSource()
	src.stream = &fakeStream{events: make(chan changelog.Ref)}
	s, e := runSyncer(t, src, Config{Interval: 10 * time.Millisecond, ResyncInterval: time.Hour})
	eventually(t, "stream mode", func() bool { return s.Status().Mode == ModeChangeStreams })
	src.put("a")
	src.put("b")
	src.stream.events <- changelog.Ref{Collection: changelog.ResyncAll}
	eventually(t, "resync applied", func() bool { return e.Has(model.Roles, "a") && e.Has(model.Roles, "b") })
}

func TestFollowFallsBackToPollingWithAResync(t *testing.T) {
	src := newFakeSource()
	src.stream = &fakeStream{events: make(chan changelog.Ref), err: errors.New("stream invalidated")}
	s, e := runSyncer(t, src, Config{Interval: 10 * time.Millisecond, ResyncInterval: time.Hour})
	eventually(t, "stream mode", func() bool { return s.Status().Mode == ModeChangeStreams })
	src.put("missed") // a change the stream never delivers
	close(src.stream.events)
	eventually(t, "polling with the missed change", func() bool {
		return s.Status().Mode == ModePolling && e.Has(model.Roles, "missed")
	})
}

func TestPollResyncsOnAResyncEntry(t *testing.T) {
	src := newFakeSource()
	_, e := runSyncer(t, src, Config{Interval: 10 * time.Millisecond, ResyncInterval: time.Hour})
	eventually(t, "loaded", e.Ready)
	src.put("bulk")
	src.mu.Lock()
	src.changes = append(src.changes, changelog.Entry{ID: "x", Collection: changelog.ResyncAll, At: time.Now()})
	src.mu.Unlock()
	eventually(t, "the large import is read", func() bool { return e.Has(model.Roles, "bulk") })
	if gets, _, trims := src.counts(); gets != 0 || trims == 0 {
		t.Errorf("gets %d (want 0: one full read), trims %d (want >0)", gets, trims)
	}
}

func TestNeedsResync(t *testing.T) {
	many := make([]changelog.Entry, maxPollFetch+1)
	tests := []struct {
		name    string
		entries []changelog.Entry
		want    bool
	}{
		{"none", nil, false},
		{"a few", []changelog.Entry{{Collection: model.Roles, DocID: "a"}}, false},
		{"a resync entry", []changelog.Entry{{Collection: model.Roles, DocID: "a"}, {Collection: changelog.ResyncAll}}, true},
		{"too many", many, true},
		{"a batch naming too many", []changelog.Entry{{Collection: changelog.Batch, Batch: make([]changelog.Ref, maxPollFetch+1)}}, true},
		{"a small batch", []changelog.Entry{{Collection: changelog.Batch, Batch: make([]changelog.Ref, 3)}}, false},
	}
	for _, tt := range tests {
		if got := needsResync(tt.entries); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestPollAppliesABatchWhole: the documents of one batch entry (an
// onboarding) become visible in one Apply, never one without the others.
func TestPollAppliesABatchWhole(t *testing.T) {
	src := newFakeSource()
	_, e := runSyncer(t, src, Config{Interval: 10 * time.Millisecond, ResyncInterval: time.Hour})
	eventually(t, "loaded", e.Ready)
	before := e.Revision()
	ids := []string{"b1", "b2", "b3"}
	var refs []changelog.Ref
	for _, id := range ids {
		src.put(id)
		refs = append(refs, changelog.Ref{Collection: model.Roles, ID: id})
	}
	src.mu.Lock()
	src.changes = append(src.changes, changelog.Entry{ID: "batch", Collection: changelog.Batch, Batch: refs, At: time.Now()})
	src.mu.Unlock()
	eventually(t, "the batch is applied", func() bool { return e.Has(model.Roles, "b1") })
	for _, id := range ids {
		if !e.Has(model.Roles, id) {
			t.Errorf("%s not applied with b1", id)
		}
	}
	if got := e.Revision() - before; got != 1 {
		t.Errorf("%d revisions for one batch, want 1", got)
	}
	if gets, snaps, _ := src.counts(); gets != len(ids) || snaps != 1 {
		t.Errorf("gets %d, snapshots %d: want one read per document and no resync", gets, snaps)
	}
}
