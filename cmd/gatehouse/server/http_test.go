package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/api"
)

func TestLimitRequests(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			entered <- struct{}{}
			<-release
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})
	srv := httptest.NewServer(limitRequests(h, 2, 1<<20))
	defer srv.Close()
	defer close(release)

	// A request stuck sending its body holds no slot.
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		resp, err := http.Post(srv.URL+"/upload", "application/json", pr)
		if err == nil {
			resp.Body.Close()
		}
	}()
	_, _ = pw.Write([]byte(`{"user":`))

	for range 2 {
		go func() {
			if resp, err := http.Get(srv.URL + "/block"); err == nil {
				resp.Body.Close()
			}
		}()
		<-entered
	}
	resp, err := http.Get(srv.URL + "/work")
	if err != nil {
		t.Fatal(err)
	}
	var body api.ErrorBody
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || body.Code != api.CodeOverloaded {
		t.Errorf("over the bound: %d %+v (Retry-After %q), want 503 overloaded", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
	for _, path := range []string{"/health", "/ready", "/v1/bundles/gatehouse"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s on a full server: %d, want 200", path, resp.StatusCode)
		}
	}
}

func TestHTTPConfig(t *testing.T) {
	bad := HTTPConfig{ReadHeaderTimeout: -1, ReadTimeout: -1, WriteTimeout: -1, IdleTimeout: -1, MaxConcurrentRequests: -1}
	err := bad.Validate()
	for _, want := range []string{"read header", "read timeout", "write", "idle", "concurrent"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate misses %q: %v", want, err)
		}
	}
	s := newHTTPServer(http.NotFoundHandler(), HTTPConfig{}, 1)
	if s.ReadHeaderTimeout != DefaultReadHeaderTimeout || s.ReadTimeout != DefaultReadTimeout ||
		s.WriteTimeout != DefaultHTTPWriteTimeout || s.IdleTimeout != DefaultIdleTimeout {
		t.Errorf("defaults not applied: %+v", s)
	}
	if s := newHTTPServer(http.NotFoundHandler(), HTTPConfig{IdleTimeout: time.Second}, 1); s.IdleTimeout != time.Second {
		t.Errorf("idle timeout %v, want 1s", s.IdleTimeout)
	}
}
