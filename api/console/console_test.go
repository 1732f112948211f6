package console_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/api/console"
)

func router() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	console.Register(r)
	return r
}

func TestServe(t *testing.T) {
	h := router()
	cases := []struct {
		name, method, path string
		status             int
		typ, contains      string
	}{
		{"page", "GET", "/console", 200, "text/html", `src="/console/app.js"`},
		{"page head", "HEAD", "/console", 200, "text/html", ""},
		{"module", "GET", "/console/app.js", 200, "javascript", "setupAsk"},
		{"style", "GET", "/console/console.css", 200, "text/css", ".verdict"},
		{"index by name", "GET", "/console/index.html", 200, "text/html", "Gatehouse console"},
		{"missing file", "GET", "/console/nope.js", 404, "application/json", `"code":"not_found"`},
		{"directory", "GET", "/console/", 404, "application/json", `"code":"not_found"`},
		{"dot segment", "GET", "/console/./app.js", 404, "application/json", `"code":"not_found"`},
		{"escape", "GET", "/console/..%2fconsole.go", 404, "application/json", `"code":"not_found"`},
		{"double slash", "GET", "/console//app.js", 404, "application/json", `"code":"not_found"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); !strings.Contains(got, c.typ) {
				t.Errorf("Content-Type %q, want %q", got, c.typ)
			}
			if !strings.Contains(rec.Body.String(), c.contains) {
				t.Errorf("body does not hold %q:\n%.300s", c.contains, rec.Body)
			}
			if c.status == 200 {
				if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
					t.Errorf("Content-Security-Policy %q", csp)
				}
				if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
					t.Error("no X-Content-Type-Options: nosniff")
				}
			}
		})
	}
}

// TestTextOnly holds the page to its rule: whatever a user or the server
// sent goes in as text. No script may reach for an HTML sink, and the
// page may hold no inline script or handler (the policy forbids them).
func TestTextOnly(t *testing.T) {
	sinks := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|createContextualFragment|setHTMLUnsafe|parseHTMLUnsafe|DOMParser`)
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|\son[a-z]+\s*=|javascript:`)
	err := filepath.WalkDir("static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch filepath.Ext(path) {
		case ".js":
			if m := sinks.Find(raw); m != nil {
				t.Errorf("%s uses %s", path, m)
			}
		case ".html":
			if m := inline.Find(raw); m != nil {
				t.Errorf("%s has inline script %q", path, m)
			}
			if strings.Contains(string(raw), "http://") || strings.Contains(string(raw), "https://") {
				t.Errorf("%s loads from another origin", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
