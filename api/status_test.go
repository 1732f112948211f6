package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

func TestStatusListsSkippedPolicies(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := engine.New(log)
	snap := &model.Snapshot{Policies: []model.Policy{
		{Meta: model.Meta{ID: "evil"}, Source: "package gatehouse.authz\n\nallow if input.user == \"mallory\"\n"},
		{Meta: model.Meta{ID: "fine"}, Source: "package custom.fine\n\nx := 1\n"},
	}}
	if _, err := eng.Load(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	NewRouter(Deps{Engine: eng, Log: log}).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/status", nil))
	var body StatusResponse
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &body) != nil {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if diff := cmp.Diff([]string{"evil"}, body.SkippedPolicies); diff != "" {
		t.Errorf("skippedPolicies (-want +got):\n%s", diff)
	}
}
