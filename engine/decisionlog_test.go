package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/engine"
)

func TestDecisionLogWritesOneLinePerDecision(t *testing.T) {
	var buf bytes.Buffer
	log := engine.NewDecisionLog(engine.NewWriterSink(&buf), 100)
	e := loaded(t)
	e.SetDecisionLog(log)
	in := engine.Input{User: "alice", Resource: "accounts/A", Permission: "read"}
	d, err := e.Decide(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Query(t.Context(), "gatehouse/authz/allow", map[string]any{"user": "bob"}, engine.QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	log.Close()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	var first struct {
		DecisionID string `json:"decision_id"`
		Revision   uint64
		LatencyNS  int64 `json:"latency_ns"`
		Input      engine.Input
		Result     struct{ Allowed bool }
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.DecisionID != d.DecisionID || first.Revision != d.Revision || first.LatencyNS <= 0 || first.Input != in || !first.Result.Allowed {
		t.Errorf("entry %+v does not match decision %+v", first, d)
	}
}

// blockingSink holds every write until released, saying when one began.
type blockingSink struct {
	entered chan struct{}
	release chan struct{}
	mu      sync.Mutex
	n       int
}

func (s *blockingSink) Write(_ context.Context, es []engine.DecisionLogEntry) error {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.release
	s.mu.Lock()
	s.n += len(es)
	s.mu.Unlock()
	return nil
}

func TestDecisionLogDropsInsteadOfBlocking(t *testing.T) {
	sink := &blockingSink{entered: make(chan struct{}, 1), release: make(chan struct{})}
	log := engine.NewDecisionLog(sink, 10)
	log.Log(engine.DecisionLogEntry{DecisionID: "first"})
	<-sink.entered // the writer is stuck in the sink with the first entry
	for range 100 {
		log.Log(engine.DecisionLogEntry{DecisionID: "more"})
	}
	if got := log.Dropped(); got != 90 {
		t.Errorf("dropped %d of 100 with a buffer of 10 and a stuck sink, want 90", got)
	}
	close(sink.release)
	log.Close()
	if sink.n != 11 {
		t.Errorf("written %d, want the first entry and the 10 buffered", sink.n)
	}
}

type failingSink struct{}

func (failingSink) Write(context.Context, []engine.DecisionLogEntry) error { return errors.New("down") }

func TestDecisionLogCountsSinkFailures(t *testing.T) {
	log := engine.NewDecisionLog(failingSink{}, 10)
	log.Log(engine.DecisionLogEntry{})
	log.Close()
	if log.Dropped() != 1 {
		t.Errorf("dropped %d, want 1", log.Dropped())
	}
}
