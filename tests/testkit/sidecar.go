package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/engine"
)

var (
	opaOnce sync.Once
	opaPath string
	opaErr  error
)

// StockOPA returns the path of the opa binary at the version go.mod names
// (the go.mod tool directive), building it on first use.
func StockOPA(t testing.TB) string {
	t.Helper()
	opaOnce.Do(func() {
		out, err := exec.Command("go", "tool", "-n", "opa").Output()
		opaPath, opaErr = strings.TrimSpace(string(out)), err
	})
	if opaErr != nil {
		t.Fatalf("building stock opa: %v", opaErr)
	}
	return opaPath
}

// Sidecar is a stock OPA pulling one bundle from gatehouse.
type Sidecar struct {
	t    testing.TB
	base string
	Logs *bytes.Buffer // the sidecar's output
}

// SidecarOptions says which bundle a sidecar pulls and how it verifies it.
type SidecarOptions struct {
	Resource string // bundle path on gatehouse
	Signing  string // PEM public key OPA verifies with; empty: unsigned
}

// StartSidecar starts a stock OPA on a free port pulling o.Resource from
// the gatehouse at base; it stops when the test ends.
func StartSidecar(t testing.TB, gatehouse string, o SidecarOptions) *Sidecar {
	t.Helper()
	port := FreePort(t)
	cfg := fmt.Sprintf(`services:
  gatehouse:
    url: %s
bundles:
  gatehouse:
    service: gatehouse
    resource: %s
    polling:
      min_delay_seconds: 1
      max_delay_seconds: 2
      long_polling_timeout_seconds: 20
`, gatehouse, o.Resource)
	if o.Signing != "" {
		cfg += "    signing:\n      keyid: gatehouse\n"
		cfg += "keys:\n  gatehouse:\n    algorithm: RS256\n    key: |\n" + indent(o.Signing, "      ")
	}
	path := filepath.Join(t.TempDir(), "opa.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, StockOPA(t), "run", "--server", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--config-file", path, "--log-level", "error")
	s := &Sidecar{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), Logs: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = s.Logs, s.Logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	return s
}

// Healthy reports whether /health?bundles=true answers 200.
func (s *Sidecar) Healthy() bool {
	resp, err := http.Get(s.base + "/health?bundles=true")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Decide asks the sidecar for data.gatehouse.authz.decision.
func (s *Sidecar) Decide(in map[string]string) engine.Decision {
	s.t.Helper()
	var out struct{ Result engine.Decision }
	s.Query("/v1/data/gatehouse/authz/decision", in, &out)
	return out.Result
}

// Query posts input to a sidecar path and decodes the answer into out.
func (s *Sidecar) Query(path string, input any, out any) {
	s.t.Helper()
	body := "{}"
	if input != nil {
		raw, _ := json.Marshal(map[string]any{"input": input})
		body = string(raw)
	}
	resp, err := http.Post(s.base+path, "application/json", strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		s.t.Fatal(err)
	}
}

// FreePort returns a TCP port free on 127.0.0.1 a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return prefix + strings.Join(lines, "\n"+prefix) + "\n"
}
