package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// outcome is what a client learned of one write.
type outcome int

const (
	unknown  outcome = iota // transport error, 5xx or 409: may or may not be stored
	acked                   // 2xx: must be stored
	rejected                // another 4xx: must not be stored; fails the test
)

// attempt is one PUT of one version of a document.
type attempt struct {
	body    any
	outcome outcome
}

// tracked is one document id and every PUT sent for it, in order. One
// writer owns it, so its attempts are appended without a lock; they are
// read after the writers stop.
type tracked struct {
	kind      kind
	id        string
	parent    string   // holder and grant: the role or group they follow
	companion *tracked // role and group: their holder or grant, once sent
	server    int
	attempts  []attempt
}

func (d *tracked) collection() string { return kindInfo[d.kind].collection }

func (d *tracked) lastAcked() int {
	for i := len(d.attempts) - 1; i >= 0; i-- {
		if d.attempts[i].outcome == acked {
			return i
		}
	}
	return -1
}

// load is the writers and what they sent.
type load struct {
	c    *cluster
	stop atomic.Bool
	wg   sync.WaitGroup

	acked    [2]atomic.Int64
	failed   [2]atomic.Int64
	inFlight [2]atomic.Int64

	mu       sync.Mutex
	docs     []*tracked
	rejected []string
	lastErr  [2]string
	causes   map[string]int // why outcomes were unknown
}

// startLoad starts writers per server; each writes until stopped.
func startLoad(c *cluster, writers [2]int, seed uint64) *load {
	l := &load{c: c, causes: map[string]int{}}
	for s, n := range writers {
		for w := range n {
			l.wg.Add(1)
			go l.write(s, w, rand.New(rand.NewPCG(seed, uint64(s*100+w))))
		}
	}
	return l
}

// finish stops the writers and waits for their last requests to answer.
func (l *load) finish() {
	l.stop.Store(true)
	l.wg.Wait()
}

// write is one writer: it creates documents, updates its own, and writes
// a holder or grant once a role or group is acknowledged.
func (l *load) write(server, writer int, rng *rand.Rand) {
	defer l.wg.Done()
	var own, pending []*tracked
	for n := 0; !l.stop.Load(); n++ {
		switch {
		case len(pending) > 0:
			if l.put(pending[0], 0) != unknown {
				pending = pending[1:]
			}
		case len(own) > 0 && rng.IntN(10) < 3:
			d := own[rng.IntN(len(own))]
			if l.put(d, len(d.attempts)) == acked {
				pending = l.follow(d, pending)
			}
		default:
			k := primaryKinds[rng.IntN(len(primaryKinds))]
			id := fmt.Sprintf("%s-%c%d-%d", kindInfo[k].prefix, 'a'+server, writer, n)
			d := l.track(&tracked{kind: k, id: id, server: server})
			own = append(own, d)
			if l.put(d, 0) == acked {
				pending = l.follow(d, pending)
			}
		}
	}
}

// follow queues the holder of an acknowledged role or the grant of an
// acknowledged group, once.
func (l *load) follow(d *tracked, pending []*tracked) []*tracked {
	follow, ok := map[kind]kind{kindRole: kindHolder, kindGroup: kindGrant}[d.kind]
	if !ok || d.companion != nil {
		return pending
	}
	d.companion = l.track(&tracked{kind: follow, id: kindInfo[follow].prefix + "-" + d.id, parent: d.id, server: d.server})
	return append(pending, d.companion)
}

func (l *load) track(d *tracked) *tracked {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.docs = append(l.docs, d)
	return d
}

// put sends version v of d to its server and records the outcome.
func (l *load) put(d *tracked, v int) outcome {
	b := body(d.kind, d.id, d.parent, v)
	s := d.server
	url := l.c.servers[s].base + "/v1/" + d.collection() + "/" + d.id
	l.inFlight[s].Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), requestLimit)
	code, raw, err := l.c.send(ctx, http.MethodPut, url, b)
	cancel()
	l.inFlight[s].Add(-1)
	o := unknown
	switch {
	case err == nil && code/100 == 2:
		o = acked
		l.acked[s].Add(1)
	case err == nil && code/100 == 4 && code != http.StatusConflict:
		o = rejected
		l.mu.Lock()
		l.rejected = append(l.rejected, fmt.Sprintf("PUT %s: %d %s", url, code, raw))
		l.mu.Unlock()
	default:
		l.failed[s].Add(1)
		l.mu.Lock()
		l.lastErr[s] = fmt.Sprintf("%d %s %v", code, raw, err)
		l.causes[cause(code, raw, err)]++
		l.mu.Unlock()
		time.Sleep(failurePause) // as a client backs off; the outage is not hammered
	}
	d.attempts = append(d.attempts, attempt{body: b, outcome: o})
	return o
}

// failurePause is how long a writer waits after a write that failed.
const failurePause = 20 * time.Millisecond

// cause names why a write's outcome is unknown, for the report: the
// transport error, or the status and the error body's code.
func cause(code int, raw []byte, err error) string {
	var op *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection reset"
	case errors.As(err, &op):
		return "network error"
	case err != nil:
		return "transport error"
	}
	var body struct{ Code string }
	_ = json.Unmarshal(raw, &body)
	return fmt.Sprintf("%d %s", code, body.Code)
}

// waitAcked waits until n more writes to each listed server are
// acknowledged than when it was called; the test fails if writes do not
// resume within limit.
func (l *load) waitAcked(t *testing.T, what string, n int64, limit time.Duration, servers ...int) {
	t.Helper()
	start := time.Now()
	var base [2]int64
	for _, s := range servers {
		base[s] = l.acked[s].Load()
	}
	ok := waitFor(limit, func() bool {
		for _, s := range servers {
			if l.acked[s].Load() < base[s]+n {
				return false
			}
		}
		return true
	})
	if !ok {
		l.mu.Lock()
		defer l.mu.Unlock()
		t.Fatalf("%s: fewer than %d writes acknowledged per server %v within %v; last errors: A %q, B %q",
			what, n, servers, limit, l.lastErr[0], l.lastErr[1])
	}
	t.Logf("%s: %d writes acknowledged per server %v in %v", what, n, servers, time.Since(start).Round(time.Millisecond))
}

// waitFailed waits until a write to server s has failed since it was
// called, or limit passes.
func (l *load) waitFailed(s int, limit time.Duration) bool {
	base := l.failed[s].Load()
	return waitFor(limit, func() bool { return l.failed[s].Load() > base })
}
