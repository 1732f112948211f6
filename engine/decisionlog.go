package engine

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultDecisionLogBuffer is how many entries wait for the sink before
// new ones are dropped.
const DefaultDecisionLogBuffer = 10_000

// DecisionLogEntry is one logged decision.
type DecisionLogEntry struct {
	DecisionID string    `json:"decision_id" bson:"_id"`
	Time       time.Time `json:"time" bson:"time"`
	Path       string    `json:"path" bson:"path"`
	Input      any       `json:"input" bson:"input"`
	Result     any       `json:"result" bson:"result"`
	Revision   uint64    `json:"revision" bson:"revision"`
	LatencyNS  int64     `json:"latency_ns" bson:"latencyNs"`
}

// DecisionSink stores batches of entries; Write may be slow, it never
// blocks a decision.
type DecisionSink interface {
	Write(ctx context.Context, entries []DecisionLogEntry) error
}

// DecisionLog buffers entries and hands them to a sink in the background.
// Log never blocks: when the buffer is full the entry is dropped and counted.
type DecisionLog struct {
	ch      chan DecisionLogEntry
	sink    DecisionSink
	dropped atomic.Int64
	failed  atomic.Int64
	done    chan struct{}
	once    sync.Once
}

// NewDecisionLog starts a decision log writing to sink; Close flushes it.
func NewDecisionLog(sink DecisionSink, buffer int) *DecisionLog {
	if buffer <= 0 {
		buffer = DefaultDecisionLogBuffer
	}
	l := &DecisionLog{ch: make(chan DecisionLogEntry, buffer), sink: sink, done: make(chan struct{})}
	go l.run()
	return l
}

// Log queues an entry, or drops it when the buffer is full.
func (l *DecisionLog) Log(e DecisionLogEntry) {
	if l == nil {
		return
	}
	select {
	case l.ch <- e:
	default:
		l.dropped.Add(1)
	}
}

// Dropped returns how many entries were dropped because the buffer was full
// or the sink failed.
func (l *DecisionLog) Dropped() int64 {
	if l == nil {
		return 0
	}
	return l.dropped.Load() + l.failed.Load()
}

// Close stops accepting entries and writes what is buffered.
func (l *DecisionLog) Close() {
	if l == nil {
		return
	}
	l.once.Do(func() { close(l.ch) })
	<-l.done
}

func (l *DecisionLog) run() {
	defer close(l.done)
	batch := make([]DecisionLogEntry, 0, 256)
	for e := range l.ch {
		batch = append(batch[:0], e)
	drain:
		for len(batch) < cap(batch) {
			select {
			case more, ok := <-l.ch:
				if !ok {
					break drain
				}
				batch = append(batch, more)
			default:
				break drain
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := l.sink.Write(ctx, batch); err != nil {
			l.failed.Add(int64(len(batch)))
		}
		cancel()
	}
}

// WriterSink writes entries as JSON lines (stdout, a file).
type WriterSink struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriterSink returns a sink writing JSON lines to w.
func NewWriterSink(w io.Writer) *WriterSink { return &WriterSink{w: w} }

// Write writes one JSON line per entry.
func (s *WriterSink) Write(_ context.Context, entries []DecisionLogEntry) error {
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
