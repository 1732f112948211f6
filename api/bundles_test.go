package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

func TestPreferWait(t *testing.T) {
	tests := map[string]time.Duration{
		"":                            0,
		"wait=30":                     30 * time.Second,
		"modes=snapshot,delta;wait=5": 5 * time.Second,
		"wait=0":                      0,
		"wait=-3":                     0,
		"wait=abc":                    0,
		"wait=100000":                 bundles.MaxWait,
	}
	for prefer, want := range tests {
		if got := preferWait(prefer); got != want {
			t.Errorf("preferWait(%q) = %v, want %v", prefer, got, want)
		}
	}
}

func TestBundleErrorsDoNotEchoCauses(t *testing.T) {
	var logs bytes.Buffer
	eng := engine.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := eng.Load(context.Background(), &model.Snapshot{}); err != nil {
		t.Fatal(err)
	}
	router := NewRouter(Deps{Engine: eng, Bundles: bundles.NewServer(eng, nil), Log: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, name := range []string{"tenants/ghost-tenant", "nope-bundle", "tenants/a/b"} {
		req := httptest.NewRequest(http.MethodGet, "/v1/bundles/"+name, nil)
		w := httptest.NewRecorder()
		router.ServeHTTP(w, req)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", name, w.Code)
		}
		var body ErrorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: %v: %s", name, err, w.Body)
		}
		want := ErrorBody{Code: CodeNotFound, Message: "no such bundle (want gatehouse or tenants/{tenantId})"}
		if diff := cmp.Diff(want, body); diff != "" {
			t.Errorf("%s: body (-want +got):\n%s", name, diff)
		}
	}
}
