package engine

import (
	"strconv"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
)

// DefaultDecisionCacheSize is how many decisions the cache keeps, as many
// as OpenFGA's check cache by default. An entry costs about 260 bytes;
// skewed traffic repeats far fewer questions than that.
const DefaultDecisionCacheSize = 10_000

// decisionCache keeps decisions by canonical input and data revision. An
// entry is served only for the revision it was computed at and only until
// the earliest expiry among the grants it could depend on; concurrent
// misses on one key are evaluated once.
type decisionCache struct {
	entries *lru.Cache[string, cachedDecision]
	flight  singleflight.Group
	hits    atomic.Int64
	misses  atomic.Int64
	evals   atomic.Int64
}

type cachedDecision struct {
	d          index.Decision
	validUntil int64 // Unix ns
}

func newDecisionCache(size int) *decisionCache {
	if size <= 0 {
		return nil
	}
	entries, _ := lru.New[string, cachedDecision](size)
	return &decisionCache{entries: entries}
}

// decide answers from the cache or with eval, once per key at a time.
// Only the built-in decision (native true) is cached: custom hook rules
// may depend on anything (the time, say), so with them every decision is
// evaluated. A nil cache evaluates every time.
func (c *decisionCache) decide(v *index.View, native bool, in index.Input, now int64, eval func() (index.Decision, error)) (index.Decision, error) {
	if c == nil || !native {
		return eval()
	}
	key := cacheKey(in, v.Rev())
	if d, ok := c.get(key, now); ok {
		return d, nil
	}
	res, err, _ := c.flight.Do(key, func() (any, error) {
		// A miss that reaches Do after another finished evaluating this
		// key finds its answer here instead of evaluating again.
		if d, ok := c.lookup(key, now); ok {
			return d, nil
		}
		c.evals.Add(1)
		d, err := eval()
		if err == nil {
			c.put(key, d, v.NextExpiry(in.User, now))
		}
		return d, err
	})
	if err != nil {
		return index.Decision{}, err
	}
	return res.(index.Decision), nil
}

// cacheKey is the canonical form of in at rev: the URI and the action as
// model.TrimURI and model.FoldAction canonicalize them. Each part is written with its length
// first, so no content (a NUL byte, a digit) can make two questions share
// a key.
func cacheKey(in index.Input, rev uint64) string {
	uri := model.TrimURI(in.Resource)
	action := model.FoldAction(in.Permission)
	b := make([]byte, 0, len(in.User)+len(in.Installation)+len(in.App)+len(in.Tenant)+len(uri)+len(action)+50)
	for _, part := range [...]string{in.User, in.Installation, in.App, in.Tenant, uri, action} {
		b = strconv.AppendInt(b, int64(len(part)), 10)
		b = append(b, ':')
		b = append(b, part...)
	}
	return string(strconv.AppendUint(b, rev, 10))
}

// get looks key up and counts a hit or a miss.
func (c *decisionCache) get(key string, now int64) (index.Decision, bool) {
	d, ok := c.lookup(key, now)
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return d, ok
}

// lookup returns the entry for key while it is valid at now.
func (c *decisionCache) lookup(key string, now int64) (index.Decision, bool) {
	if e, ok := c.entries.Get(key); ok && now < e.validUntil {
		return e.d, true
	}
	return index.Decision{}, false
}

func (c *decisionCache) put(key string, d index.Decision, validUntil int64) {
	c.entries.Add(key, cachedDecision{d: d, validUntil: validUntil})
}

// CacheStats reports decision cache hits and misses.
type CacheStats struct {
	Hits, Misses int64
	Evaluations  int64 // misses evaluated; concurrent misses on one key count once
	Entries      int
}

// stats returns the counters; zero when the cache is disabled (nil).
func (c *decisionCache) stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evaluations: c.evals.Load(), Entries: c.entries.Len()}
}
