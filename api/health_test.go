package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/engine"
)

// fakeStatus is a StoreStatus with fixed answers.
type fakeStatus struct{}

func (fakeStatus) Skipped() map[string]int { return map[string]int{"records": 2} }
func (fakeStatus) Freshness() any          { return map[string]any{"mode": "poll", "interval": "1s"} }
func (fakeStatus) Lag() time.Duration      { return time.Second }

// statusRouter serves an engine loaded with handlerSnapshot (or never
// loaded), with a store status when given.
func statusRouter(t *testing.T, loaded bool, status StoreStatus) (http.Handler, *engine.Engine) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := engine.New(log)
	if loaded {
		if _, err := eng.Load(t.Context(), handlerSnapshot()); err != nil {
			t.Fatal(err)
		}
	}
	return NewRouter(Deps{Engine: eng, Status: status, Log: log}), eng
}

func TestHealthAndReady(t *testing.T) {
	loaded, eng := statusRouter(t, true, nil)
	empty, _ := statusRouter(t, false, nil)
	is := func(want map[string]any) func(*testing.T, []byte) {
		return func(t *testing.T, raw []byte) {
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		}
	}
	t.Run("loaded", func(t *testing.T) {
		runRoutes(t, loaded, []routeCase{
			{name: "health", method: "GET", path: "/health", want: response{status: 200}, render: is(map[string]any{"status": "ok"})},
			{name: "ready", method: "GET", path: "/ready", want: response{status: 200},
				render: is(map[string]any{"status": "ready", "revision": float64(eng.Revision())})},
			{name: "POST health", method: "POST", path: "/health", want: response{status: 405, code: "method_not_allowed"}},
		})
	})
	t.Run("not loaded", func(t *testing.T) {
		runRoutes(t, empty, []routeCase{
			{name: "health does not wait for data", method: "GET", path: "/health", want: response{status: 200}, render: is(map[string]any{"status": "ok"})},
			{name: "ready", method: "GET", path: "/ready", want: response{status: 503, code: CodeNotReady, message: "data is not loaded yet"}},
		})
	})
}

func TestStatusHandler(t *testing.T) {
	ignoreUptime := cmpopts.IgnoreFields(StatusResponse{}, "Uptime", "LoadedAt")
	tests := []struct {
		name   string
		loaded bool
		status StoreStatus
		want   StatusResponse
	}{
		{name: "loaded, with a store status", loaded: true, status: fakeStatus{},
			want: StatusResponse{Ready: true, Revision: 1,
				Documents: map[string]int{"roles": 2, "records": 1, "extensions": 1, "installations": 1, "memberships": 1},
				Skipped:   map[string]int{"records": 2}, Sync: map[string]any{"mode": "poll", "interval": "1s"}}},
		{name: "loaded, no store status", loaded: true,
			want: StatusResponse{Ready: true, Revision: 1,
				Documents: map[string]int{"roles": 2, "records": 1, "extensions": 1, "installations": 1, "memberships": 1},
				Skipped:   map[string]int{}}},
		{name: "not loaded", status: fakeStatus{},
			want: StatusResponse{Documents: map[string]int{}, Skipped: map[string]int{"records": 2}, Sync: map[string]any{"mode": "poll", "interval": "1s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, eng := statusRouter(t, tt.loaded, tt.status)
			w := serve(h, http.MethodGet, "/v1/status", "")
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var got StatusResponse
			decodeOnly(t, w.Body.Bytes(), &got)
			zeroIsAbsent := cmpopts.IgnoreMapEntries(func(_ string, n int) bool { return n == 0 })
			if diff := cmp.Diff(tt.want, got, ignoreUptime, zeroIsAbsent); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if _, err := time.ParseDuration(got.Uptime); err != nil {
				t.Errorf("uptime %q is not a duration", got.Uptime)
			}
			if st, ok := eng.Status(); ok != (got.LoadedAt != nil) || ok && !got.LoadedAt.Equal(st.LoadedAt) {
				t.Errorf("loadedAt %v, want the engine's (%v, loaded %v)", got.LoadedAt, st.LoadedAt, ok)
			}
		})
	}
}

func TestStatusNeedsTheReadScope(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := engine.New(log)
	h := NewRouter(Deps{Engine: eng, Log: log, Keys: []Key{
		{Name: "reader", Secret: "reader-secret-0123456789", Scopes: []string{ScopeRead}},
		{Name: "decider", Secret: "decider-secret-0123456789", Scopes: []string{ScopeDecide}},
	}})
	for _, tt := range []struct {
		name, auth string
		status     int
	}{
		{"no key", "", 401},
		{"decide key", "Bearer decider-secret-0123456789", 403},
		{"read key", "Bearer reader-secret-0123456789", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "/v1/status", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status != 200 {
				strictErrorBody(t, w.Body.Bytes())
			}
		})
	}
}
