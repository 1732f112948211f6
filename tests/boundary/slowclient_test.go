package boundary

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// slowConns is how many slow or idle connections the tests open.
const slowConns = 1000

// needFiles raises the open-file limit to what n connections need on both
// ends in one process, or skips the test.
func needFiles(tb testing.TB, n int) {
	tb.Helper()
	want := uint64(2*n + 500)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		tb.Skipf("cannot read the open-file limit: %v", err)
	}
	if lim.Cur >= want {
		return
	}
	lim.Cur = min(want, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < want {
		tb.Skipf("%d slow connections need %d open files; the limit is %d (raise ulimit -n)", n, want, lim.Cur)
	}
}

// openSlowClients opens n connections that hold the server without
// finishing a request: a third send half a header and stall (slowloris),
// a third finish one request and then idle on keep-alive, a third send a
// whole header and stall in the body. They are closed at cleanup.
func openSlowClients(tb testing.TB, addr string, n int) []net.Conn {
	tb.Helper()
	conns := make([]net.Conn, 0, n)
	tb.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			tb.Fatalf("slow connection %d: %v", i, err)
		}
		conns = append(conns, c)
		var err2 error
		switch i % 3 {
		case 0:
			_, err2 = io.WriteString(c, "POST /v1/authorize HTTP/1.1\r\nHost: gatehouse\r\nContent-Type: appl")
		case 1:
			_, err2 = io.WriteString(c, "GET /health HTTP/1.1\r\nHost: gatehouse\r\n\r\n")
			if err2 == nil {
				var resp *http.Response
				if resp, err2 = http.ReadResponse(bufio.NewReader(c), nil); err2 == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		case 2:
			_, err2 = io.WriteString(c, "POST /v1/authorize HTTP/1.1\r\nHost: gatehouse\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"user\":")
		}
		if err2 != nil {
			tb.Fatalf("slow connection %d: %v", i, err2)
		}
	}
	return conns
}

// slowClientServer starts the demo data; slow clients are dropped after
// timeout.
func slowClientServer(tb testing.TB, timeout time.Duration) *testkit.Gate {
	tb.Helper()
	_, uri := testkit.StoreWithDemo(tb)
	return testkit.StartOn(tb, uri, func(c *server.Config) {
		c.HTTP = server.HTTPConfig{
			ReadHeaderTimeout: timeout, ReadTimeout: 2 * timeout,
			WriteTimeout: 2 * timeout, IdleTimeout: timeout,
			MaxConcurrentRequests: 64,
		}
	})
}

// decideOnce asks one question on a fresh connection and checks the answer.
func decideOnce(tb testing.TB, base string) time.Duration {
	tb.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	body := `{"user": "alice", "resource": "accounts/acme/chats/general", "permission": "chats:read"}`
	start := time.Now()
	resp, err := client.Post(base+"/v1/authorize", "application/json", strings.NewReader(body))
	if err != nil {
		tb.Fatalf("decision did not answer: %v", err)
	}
	defer resp.Body.Close()
	took := time.Since(start)
	var d struct{ Allowed bool }
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &d) != nil || !d.Allowed {
		tb.Fatalf("decision: %d %s, want 200 allowed", resp.StatusCode, raw)
	}
	return took
}

func TestSlowClientsDoNotStopDecisions(t *testing.T) {
	needFiles(t, slowConns)
	g := slowClientServer(t, 2*time.Second)
	conns := openSlowClients(t, g.Srv.Addr, slowConns)
	for range 5 {
		if took := decideOnce(t, g.Base); took > 5*time.Second {
			t.Fatalf("a decision took %v beside %d slow connections", took, slowConns)
		}
	}
	// The server hangs up on every kind of slow client once its timeout
	// passes, so they cannot pile up.
	deadline := time.Now().Add(10 * time.Second)
	for i, c := range []net.Conn{conns[0], conns[1], conns[2]} {
		_ = c.SetReadDeadline(deadline)
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("slow connection kind %d still open after 10s", i)
		}
	}
	decideOnce(t, g.Base)
}

// TestLongPollOutlastsTimeouts holds a bundle long poll longer than the
// server's read and write timeouts: it must still answer 304 at the end
// of its wait, not be cut off.
func TestLongPollOutlastsTimeouts(t *testing.T) {
	_, uri := testkit.StoreWithDemo(t)
	g := testkit.StartOn(t, uri, func(c *server.Config) {
		c.HTTP = server.HTTPConfig{ReadHeaderTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second, IdleTimeout: time.Second}
	})
	resp, err := http.Get(g.Base + "/v1/bundles/gatehouse")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, g.Base+"/v1/bundles/gatehouse", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	req.Header.Set("Prefer", "wait=3")
	start := time.Now()
	poll, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("long poll failed after %v: %v", time.Since(start), err)
	}
	poll.Body.Close()
	if took := time.Since(start); poll.StatusCode != http.StatusNotModified || took < 2500*time.Millisecond {
		t.Fatalf("long poll: %d after %v, want 304 after the 3s wait", poll.StatusCode, took)
	}
}

// BenchmarkDecideUnderSlowClients reports decision latency over HTTP
// (a fresh connection each) with no slow connections and with 1000:
//
//	go test -run '^$' -bench DecideUnderSlowClients -benchtime 2000x ./tests/
func BenchmarkDecideUnderSlowClients(b *testing.B) {
	needFiles(b, slowConns)
	for _, n := range []int{0, slowConns} {
		b.Run(fmt.Sprintf("slow=%d", n), func(b *testing.B) {
			g := slowClientServer(b, time.Minute) // the slow clients stay for the run
			openSlowClients(b, g.Srv.Addr, n)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for b.Loop() {
				lat = append(lat, decideOnce(b, g.Base))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
