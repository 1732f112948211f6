// Package decisionlog queues logged decisions and hands them to a sink in
// batches, in the background, so that logging never slows or blocks a
// decision. It owns the queue, the entry and the sink interface, and a
// JSON-lines sink; sinks that store entries elsewhere (MongoDB) live with
// their store. It imports nothing of gatehouse, Gin or the MongoDB driver.
package decisionlog

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBuffer is how many entries wait for the sink before new ones are
// dropped.
const DefaultBuffer = 10_000

// Entry is one logged decision. Its JSON names are the log's format; a
// sink that stores entries elsewhere maps the fields itself.
type Entry struct {
	DecisionID string    `json:"decision_id"`
	Time       time.Time `json:"time"`
	Path       string    `json:"path"`
	Input      any       `json:"input"`
	Result     any       `json:"result"`
	Revision   uint64    `json:"revision"`
	LatencyNS  int64     `json:"latency_ns"`
}

// Sink stores batches of entries. Write may be slow, it never blocks a
// decision; an error counts the batch as dropped.
type Sink interface {
	Write(ctx context.Context, entries []Entry) error
}

// Log buffers entries and hands them to a sink in the background. Log
// never blocks: when the buffer is full the entry is dropped and counted.
// A nil *Log logs nothing.
type Log struct {
	ch      chan Entry
	sink    Sink
	dropped atomic.Int64
	failed  atomic.Int64
	done    chan struct{}
	once    sync.Once
}

// New starts a decision log writing to sink; Close flushes it. A buffer
// of 0 or less means DefaultBuffer.
func New(sink Sink, buffer int) *Log {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	l := &Log{ch: make(chan Entry, buffer), sink: sink, done: make(chan struct{})}
	go l.run()
	return l
}

// Log queues an entry, or drops it when the buffer is full.
func (l *Log) Log(e Entry) {
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
func (l *Log) Dropped() int64 {
	if l == nil {
		return 0
	}
	return l.dropped.Load() + l.failed.Load()
}

// Close stops accepting entries and writes what is buffered.
func (l *Log) Close() {
	if l == nil {
		return
	}
	l.once.Do(func() { close(l.ch) })
	<-l.done
}

func (l *Log) run() {
	defer close(l.done)
	batch := make([]Entry, 0, 256)
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
