package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/loader/mongostore"
)

func TestClosersUnwindInReverseOnce(t *testing.T) {
	var order []string
	failed := errors.New("flush failed")
	var c closers
	c.pushFunc(func() { order = append(order, "store") })
	c.push(func() error { order = append(order, "decision log"); return failed })
	c.pushFunc(func() { order = append(order, "http") })
	if err := c.unwind(); !errors.Is(err, failed) {
		t.Errorf("unwind returned %v, want it to carry %v", err, failed)
	}
	if err := c.unwind(); err != nil {
		t.Errorf("second unwind returned %v", err)
	}
	if diff := cmp.Diff([]string{"http", "decision log", "store"}, order); diff != "" {
		t.Errorf("close order (-want +got):\n%s", diff)
	}
}

// TestStartFailureClosesWhatStarted starts a server on an address that is
// taken: Start fails after the embedded store has started, and must close
// it again, releasing its data directory for the next start.
func TestStartFailureClosesWhatStarted(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := Config{Store: mongostore.Config{DataDir: t.TempDir()}, Addr: taken.Addr().String()}
	if s, err := Start(context.Background(), cfg, log); err == nil {
		s.Close()
		t.Fatal("Start on a taken address succeeded")
	}
	cfg.Addr = "127.0.0.1:0"
	s, err := Start(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("the failed start kept the store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}
