package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/tests/datagen"
)

// stream is a named sequence of request bodies.
type stream struct {
	name string
	next func(worker int, i int) map[string]string
}

// buildStreams returns "distinct" (no question repeats) and "zipf" (a
// skewed, repeating mix over 10k questions).
func buildStreams(users int) []stream {
	distinct := datagen.MixedQueries(users, 2_000_000, 99)
	pool := datagen.MixedQueries(users, 10_000, 7)
	var cursor atomic.Int64
	zipfs := make([]*rand.Zipf, 256)
	for i := range zipfs {
		zipfs[i] = rand.NewZipf(rand.New(rand.NewPCG(uint64(i), 3)), 1.1, 1, uint64(len(pool)-1))
	}
	return []stream{
		{"distinct", func(_, _ int) map[string]string {
			return distinct[int(cursor.Add(1))%len(distinct)].Map()
		}},
		{"zipf", func(w, _ int) map[string]string { return pool[zipfs[w%len(zipfs)].Uint64()].Map() }},
	}
}

// row is one measured run.
type row struct {
	target, stream string
	requests       int
	errors         int
	perSecond      float64
	p50, p99       time.Duration
	rssMB          float64
	cpuPer1000     time.Duration // server CPU (user+sys) per 1,000 requests
}

// drive loads t with s at the configured concurrency: a warmup, then a
// measured run.
func drive(ctx context.Context, t *target, s stream, o options) (row, error) {
	if _, _, err := load(ctx, t, s, o.concurrency, o.warmup); err != nil {
		return row{}, err
	}
	cpu := t.proc.cpuTime()
	lat, errs, err := load(ctx, t, s, o.concurrency, o.duration)
	if err != nil {
		return row{}, err
	}
	cpu = t.proc.cpuTime() - cpu
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r := row{target: t.name, stream: s.name, requests: len(lat), errors: errs, rssMB: t.proc.rssMB()}
	r.perSecond = float64(len(lat)) / o.duration.Seconds()
	if len(lat) > 0 {
		r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
		r.cpuPer1000 = cpu * 1000 / time.Duration(len(lat))
	}
	fmt.Printf("  %-10s %-9s %9.0f/s  p50 %-10v p99 %-10v cpu/1k %-8v rss %6.0f MB  errors %d\n",
		r.target, r.stream, r.perSecond, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.cpuPer1000.Round(time.Millisecond), r.rssMB, r.errors)
	return r, nil
}

// load runs workers for d, each on its own keep-alive connection, and
// returns every latency and the error count.
func load(ctx context.Context, t *target, s stream, workers int, d time.Duration) ([]time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			c := &conn{target: t}
			defer c.close()
			for i := 0; ctx.Err() == nil; i++ {
				start := time.Now()
				if err := c.post(s.next(w, i)); err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					c.close()
					continue
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, int(errs.Load()), nil
}

// conn is a minimal HTTP/1.1 keep-alive client: the load generator shares
// two cores with the servers, so it must cost as little as possible.
type conn struct {
	target *target
	c      net.Conn
	br     *bufio.Reader
	buf    []byte
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

func (c *conn) post(in map[string]string) error {
	if c.c == nil {
		nc, err := net.Dial("tcp", strings.TrimPrefix(c.target.base, "http://"))
		if err != nil {
			return err
		}
		c.c, c.br = nc, bufio.NewReaderSize(nc, 16<<10)
	}
	body := appendInput(nil, in, c.target.opa)
	c.buf = append(c.buf[:0], "POST "...)
	c.buf = append(c.buf, c.target.path...)
	c.buf = append(c.buf, " HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: "...)
	c.buf = strconv.AppendInt(c.buf, int64(len(body)), 10)
	c.buf = append(c.buf, "\r\n\r\n"...)
	c.buf = append(c.buf, body...)
	if _, err := c.c.Write(c.buf); err != nil {
		return err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return err
}

// appendInput encodes in as JSON ({"input": …} for OPA) without reflection.
func appendInput(b []byte, in map[string]string, wrap bool) []byte {
	if wrap {
		b = append(b, `{"input":`...)
	}
	b = append(b, '{')
	first := true
	for _, k := range []string{"user", "installation", "resource", "permission"} {
		v, ok := in[k]
		if !ok {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = strconv.AppendQuote(b, k)
		b = append(b, ':')
		b = strconv.AppendQuote(b, v)
	}
	b = append(b, '}')
	if wrap {
		b = append(b, '}')
	}
	return b
}
