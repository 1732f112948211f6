package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// Retry is when and how often an idempotent request is tried again: on a
// 503 answer (not ready, store unavailable) or a refused connection,
// waiting Base·2ⁿ with jitter (at most Max) between attempts, or what the
// server's Retry-After asks. A wait that would pass the context's
// deadline is not begun: the last answer is returned instead.
type Retry struct {
	Attempts int           // tries in all, the first included; < 2 is no retry
	Base     time.Duration // the first wait before jitter
	Max      time.Duration // the longest wait before jitter; 0 is no bound
}

// DefaultRetry tries four times, waiting about 100ms, 200ms and 400ms.
var DefaultRetry = Retry{Attempts: 4, Base: 100 * time.Millisecond, Max: 2 * time.Second}

// retryable reports whether an attempt's outcome is worth another try.
func retryable(r reply, err error) bool {
	if err != nil {
		return errors.Is(err, syscall.ECONNREFUSED)
	}
	return r.status == http.StatusServiceUnavailable
}

// wait sleeps before attempt n+1 and reports whether to make it: false
// when ctx ends first or the wait would pass its deadline.
func (r Retry) wait(ctx context.Context, n int, h http.Header) bool {
	d, ok := retryAfter(h, time.Now())
	if !ok {
		d = r.backoff(n)
	}
	if dl, has := ctx.Deadline(); has && time.Until(dl) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// backoff is the wait before retry n (from 0): Base·2ⁿ capped at Max,
// then a random point in its upper half, so that clients spread out.
func (r Retry) backoff(n int) time.Duration {
	d := r.Base << min(n, 30)
	if r.Max > 0 && (d > r.Max || d < 0) {
		d = r.Max
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads Retry-After, in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
