package decisions

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// BenchmarkAuthorizeHTTP measures the whole HTTP path of /v1/authorize
// in-process: a cached decision (the same question) and, for contrast,
// uncached ones.
func BenchmarkAuthorizeHTTP(b *testing.B) {
	eng := engine.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := eng.Load(context.Background(), testkit.DemoSnapshot(b)); err != nil {
		b.Fatal(err)
	}
	router := api.NewRouter(api.Deps{Engine: eng, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	body := []byte(`{"user":"alice","resource":"accounts/acme/chats/general","permission":"chats:read"}`)
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/v1/authorize", bytes.NewReader(body))
			w := httptest.NewRecorder()
			router.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}
