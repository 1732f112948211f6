package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/api"
)

// Defaults for HTTPConfig.
const (
	DefaultReadHeaderTimeout     = 5 * time.Second
	DefaultReadTimeout           = 30 * time.Second
	DefaultHTTPWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout           = 60 * time.Second
	DefaultMaxConcurrentRequests = 1024
)

// HTTPConfig bounds what slow or idle clients and bursts can hold. Zero
// fields take the defaults.
type HTTPConfig struct {
	// ReadHeaderTimeout bounds reading a request's headers (slowloris).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds handling a request and writing its response.
	// Bundle long polls (Prefer: wait=N) extend their own deadlines.
	WriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections idle this long.
	IdleTimeout time.Duration
	// MaxConcurrentRequests bounds the requests handled at once; more get
	// 503 with Retry-After. Health checks and bundle long polls are not
	// counted. A request's body is read before it takes a slot, so slow
	// uploads do not hold slots.
	MaxConcurrentRequests int
}

// Validate reports every problem with the config.
func (c HTTPConfig) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"http read header timeout", c.ReadHeaderTimeout}, {"http read timeout", c.ReadTimeout}, {"http write timeout", c.WriteTimeout}, {"http idle timeout", c.IdleTimeout}} {
		if f.d < 0 {
			errs = append(errs, errors.New(f.name+" must not be negative"))
		}
	}
	if c.MaxConcurrentRequests < 0 {
		errs = append(errs, errors.New("max concurrent requests must not be negative"))
	}
	return errors.Join(errs...)
}

func (c HTTPConfig) withDefaults() HTTPConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&c.ReadTimeout, DefaultReadTimeout)
	def(&c.WriteTimeout, DefaultHTTPWriteTimeout)
	def(&c.IdleTimeout, DefaultIdleTimeout)
	if c.MaxConcurrentRequests == 0 {
		c.MaxConcurrentRequests = DefaultMaxConcurrentRequests
	}
	return c
}

// newHTTPServer wraps h in the concurrency bound and sets the timeouts.
func newHTTPServer(h http.Handler, c HTTPConfig, maxBody int64) *http.Server {
	c = c.withDefaults()
	return &http.Server{
		Handler:           limitRequests(h, c.MaxConcurrentRequests, maxBody),
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
	}
}

// limitRequests lets at most max requests into next at once and answers
// the rest 503 at once. The body (up to maxBody and one byte more, so the
// API still sees an oversized one) is read before a slot is taken.
func limitRequests(next http.Handler, max int, maxBody int64) http.Handler {
	slots := make(chan struct{}, max)
	busy, _ := json.Marshal(api.ErrorBody{Code: api.CodeOverloaded, Message: "too many requests at once; retry shortly"})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if unlimited(r) {
			next.ServeHTTP(w, r)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(raw))
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write(busy)
		}
	})
}

// unlimited lists the requests the bound does not count: probes, which
// must answer on a busy server, and bundle requests, whose long polls
// wait for minutes without working.
func unlimited(r *http.Request) bool {
	return r.URL.Path == "/health" || r.URL.Path == "/ready" || strings.HasPrefix(r.URL.Path, "/v1/bundles/")
}
