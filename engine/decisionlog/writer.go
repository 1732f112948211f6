package decisionlog

import (
	"context"
	"encoding/json"
	"io"
	"sync"
)

// WriterSink writes entries as JSON lines (stdout, a file).
type WriterSink struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriterSink returns a sink writing JSON lines to w.
func NewWriterSink(w io.Writer) *WriterSink { return &WriterSink{w: w} }

// Write writes one JSON line per entry.
func (s *WriterSink) Write(_ context.Context, entries []Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	enc := json.NewEncoder(s.w)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}
