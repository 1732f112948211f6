package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
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
			return input(distinct[int(cursor.Add(1))%len(distinct)])
		}},
		{"zipf", func(w, _ int) map[string]string { return input(pool[zipfs[w%len(zipfs)].Uint64()]) }},
	}
}

func input(q datagen.Input) map[string]string {
	in := map[string]string{"resource": q.Resource, "permission": q.Permission}
	if q.User != "" {
		in["user"] = q.User
	}
	if q.Installation != "" {
		in["installation"] = q.Installation
	}
	return in
}

// row is one measured run.
type row struct {
	target, stream string
	requests       int
	errors         int
	perSecond      float64
	p50, p99       time.Duration
	rssMB          float64
}

// drive loads t with s at the configured concurrency: a warmup, then a
// measured run.
func drive(ctx context.Context, t *target, s stream, o options) (row, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.concurrency * 2}}
	if _, _, err := load(ctx, client, t, s, o.concurrency, o.warmup); err != nil {
		return row{}, err
	}
	lat, errs, err := load(ctx, client, t, s, o.concurrency, o.duration)
	if err != nil {
		return row{}, err
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r := row{target: t.name, stream: s.name, requests: len(lat), errors: errs, rssMB: t.proc.rssMB()}
	r.perSecond = float64(len(lat)) / o.duration.Seconds()
	if len(lat) > 0 {
		r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	fmt.Printf("  %-10s %-9s %9.0f/s  p50 %-10v p99 %-10v rss %6.0f MB  errors %d\n",
		r.target, r.stream, r.perSecond, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.rssMB, r.errors)
	return r, nil
}

// load runs workers for d and returns every latency and the error count.
func load(ctx context.Context, client *http.Client, t *target, s stream, workers int, d time.Duration) ([]time.Duration, int, error) {
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
			for i := 0; ctx.Err() == nil; i++ {
				start := time.Now()
				if err := post(ctx, client, t, s.next(w, i)); err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
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

func post(ctx context.Context, client *http.Client, t *target, in map[string]string) error {
	var body any = in
	if t.opa {
		body = map[string]any{"input": in}
	}
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, t.base+t.path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
