package decisionlog_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/engine/decisionlog"
)

// blockingSink holds every write until released, saying when one began.
type blockingSink struct {
	entered chan struct{}
	release chan struct{}
	mu      sync.Mutex
	n       int
}

func (s *blockingSink) Write(_ context.Context, es []decisionlog.Entry) error {
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
	log := decisionlog.New(sink, 10)
	log.Log(decisionlog.Entry{DecisionID: "first"})
	<-sink.entered // the writer is stuck in the sink with the first entry
	for range 100 {
		log.Log(decisionlog.Entry{DecisionID: "more"})
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

func (failingSink) Write(context.Context, []decisionlog.Entry) error { return errors.New("down") }

func TestDecisionLogCountsSinkFailures(t *testing.T) {
	log := decisionlog.New(failingSink{}, 10)
	log.Log(decisionlog.Entry{})
	log.Close()
	if log.Dropped() != 1 {
		t.Errorf("dropped %d, want 1", log.Dropped())
	}
}
