package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// fastRetry retries quickly, so that the tests do not wait.
var fastRetry = client.WithRetry(client.Retry{Attempts: 4, Base: time.Millisecond, Max: 4 * time.Millisecond})

// scripted answers with the statuses in order (the last one repeats),
// counting the requests; a 2xx answer has body ok.
func scripted(t *testing.T, ok string, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		status := statuses[min(i, len(statuses)-1)]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status >= 300 {
			_, _ = w.Write([]byte(`{"code":"not_ready","message":"data is not loaded yet"}`))
			return
		}
		_, _ = w.Write([]byte(ok))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func newClient(t *testing.T, base string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(base, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRetries: 503 is retried up to the limit for idempotent requests
// (reads, PUT, DELETE, decisions), never for a create nor for other errors.
func TestRetries(t *testing.T) {
	role := model.Role{Name: "r"}
	in := engine.Input{User: "u", Resource: "a", Permission: "read"}
	tests := []struct {
		name     string
		statuses []int
		ok       string
		call     func(*client.Client) error
		attempts int32
		wantErr  int // status of the *Error, 0 for none
	}{
		{"GET 503 then 200", []int{503, 503, 200}, `{"_id":"r"}`, func(c *client.Client) error {
			_, err := c.Roles().Get(t.Context(), "r")
			return err
		}, 3, 0},
		{"decision 503 then 200", []int{503, 200}, `{"allowed":true}`, func(c *client.Client) error {
			_, err := c.Authorize(t.Context(), in)
			return err
		}, 2, 0},
		{"batch 503 then 200", []int{503, 200}, `{"results":[]}`, func(c *client.Client) error {
			_, err := c.AuthorizeBatch(t.Context(), []engine.Input{in})
			return err
		}, 2, 0},
		{"PUT always 503", []int{503}, ``, func(c *client.Client) error {
			_, err := c.Roles().Put(t.Context(), "r", role)
			return err
		}, 4, 503},
		{"DELETE 503 then 204", []int{503, 204}, ``, func(c *client.Client) error {
			_, err := c.Roles().Delete(t.Context(), "r")
			return err
		}, 2, 0},
		{"create never retried", []int{503, 201}, `{}`, func(c *client.Client) error {
			_, err := c.Roles().Create(t.Context(), role)
			return err
		}, 1, 503},
		{"500 not retried", []int{500, 200}, `{}`, func(c *client.Client) error {
			_, err := c.Status(t.Context())
			return err
		}, 1, 500},
		{"ready reports at once", []int{503, 200}, `{}`, func(c *client.Client) error {
			_, err := c.Ready(t.Context())
			return err
		}, 1, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := scripted(t, tt.ok, tt.statuses...)
			err := tt.call(newClient(t, srv.URL, fastRetry))
			if got := n.Load(); got != tt.attempts {
				t.Errorf("%d attempts, want %d", got, tt.attempts)
			}
			var e *client.Error
			switch {
			case tt.wantErr == 0 && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != 0 && (!errors.As(err, &e) || e.Status != tt.wantErr):
				t.Errorf("error %v, want an *Error with status %d", err, tt.wantErr)
			}
		})
	}
}

// TestRetryAfter: the server's Retry-After sets the wait; a wait past the
// context's deadline is not begun.
func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name      string
		after     string
		timeout   time.Duration
		attempts  int32
		atLeast   time.Duration
		atMost    time.Duration
		wantError bool
	}{
		{"seconds", "1", 10 * time.Second, 2, time.Second, 5 * time.Second, false},
		{"http date", time.Now().Add(time.Second).UTC().Format(http.TimeFormat), 10 * time.Second, 2, 0, 5 * time.Second, false},
		{"past the deadline", "30", 2 * time.Second, 1, 0, 500 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.after)
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				_, _ = w.Write([]byte(`{"ready":true}`))
			}))
			defer srv.Close()
			ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
			defer cancel()
			start := time.Now()
			_, err := newClient(t, srv.URL, fastRetry).Status(ctx)
			took := time.Since(start)
			if (err != nil) != tt.wantError || (err != nil && !client.IsUnavailable(err)) {
				t.Errorf("error %v, want an error: %v (a 503)", err, tt.wantError)
			}
			if n.Load() != tt.attempts || took < tt.atLeast || took > tt.atMost {
				t.Errorf("%d attempts in %v, want %d in [%v, %v]", n.Load(), took, tt.attempts, tt.atLeast, tt.atMost)
			}
		})
	}
}

// refusedOnce fails the first n dials with a refused connection, as a
// server restarting does, counting every dial.
type refusedOnce struct {
	refuse int32
	dials  atomic.Int32
}

func (r *refusedOnce) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if r.dials.Add(1) <= r.refuse {
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// TestConnectionRefused: a refused connection is retried for idempotent
// requests only; a real refused port is recognised as one.
func TestConnectionRefused(t *testing.T) {
	srv, _ := scripted(t, `{"_id":"r","version":1}`, 200)
	tests := []struct {
		name    string
		refuse  int32
		create  bool
		dials   int32
		wantErr bool
	}{
		{"read after two refusals", 2, false, 3, false},
		{"read refused every time", 10, false, 4, true},
		{"create refused once", 1, true, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &refusedOnce{refuse: tt.refuse}
			hc := &http.Client{Transport: &http.Transport{DialContext: r.dial}}
			c := newClient(t, srv.URL, fastRetry, client.WithHTTPClient(hc))
			var err error
			if tt.create {
				_, err = c.Roles().Create(t.Context(), model.Role{Name: "r"})
			} else {
				_, err = c.Roles().Get(t.Context(), "r")
			}
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, syscall.ECONNREFUSED)) {
				t.Errorf("error %v, want a refused connection: %v", err, tt.wantErr)
			}
			if got := r.dials.Load(); got != tt.dials {
				t.Errorf("%d dials, want %d", got, tt.dials)
			}
		})
	}
	t.Run("a closed port", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		start := time.Now()
		_, err = newClient(t, "http://"+addr, client.WithRetry(client.Retry{Attempts: 3, Base: 50 * time.Millisecond})).Status(t.Context())
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("error %v, want a refused connection", err)
		}
		if took := time.Since(start); took < 50*time.Millisecond {
			t.Errorf("gave up after %v: a refused connection was not retried", took)
		}
	})
}

// TestBackoffStaysInBounds: the waits between retries grow and stay
// within Max.
func TestBackoffStaysInBounds(t *testing.T) {
	var n atomic.Int32
	var last atomic.Int64
	gaps := make(chan time.Duration, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UnixNano()
		if prev := last.Swap(now); prev != 0 {
			gaps <- time.Duration(now - prev)
		}
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, client.WithRetry(client.Retry{Attempts: 5, Base: 40 * time.Millisecond, Max: 80 * time.Millisecond}))
	if _, err := c.Status(t.Context()); !client.IsUnavailable(err) {
		t.Fatalf("error %v, want a 503", err)
	}
	close(gaps)
	// waits before jitter: 40, 80, 80, 80ms; jitter keeps the upper half
	want := []time.Duration{20, 40, 40, 40}
	i := 0
	for g := range gaps {
		if g < want[i]*time.Millisecond || g > (2*want[i]+100)*time.Millisecond {
			t.Errorf("wait %d: %v, want from %v to about %v", i, g, want[i]*time.Millisecond, 2*want[i]*time.Millisecond)
		}
		i++
	}
	if i != 4 {
		t.Errorf("%d waits, want 4", i)
	}
}
