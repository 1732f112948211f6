package client_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/engine"
)

// BenchmarkAuthorize/<case>: one decision over loopback HTTP through the
// client and by hand, to show what the client adds.
func BenchmarkAuthorize(b *testing.B) {
	srv := startServer(exampleSnapshot())
	b.Cleanup(srv.Close)
	in := engine.Input{User: "alice", Resource: "accounts/acme/chats/1", Permission: "read:chats"}
	b.Run("client", func(b *testing.B) {
		c, err := client.New(srv.URL, client.WithAPIKey(exampleKey))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			d, err := c.Authorize(b.Context(), in)
			if err != nil || !d.Allowed {
				b.Fatalf("%+v, %v", d, err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		body, _ := json.Marshal(in)
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL+"/v1/authorize", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+exampleKey)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			var d engine.Decision
			if err := json.Unmarshal(raw, &d); err != nil || !d.Allowed {
				b.Fatalf("%s: %v", raw, err)
			}
		}
	})
}
