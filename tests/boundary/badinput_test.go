package boundary

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// mib is the server's default request body limit.
const mib = 1 << 20

// check is a well-formed decision question over the demo data.
func check(user, resource, permission string) string {
	return fmt.Sprintf(`{"user":%q,"resource":%q,"permission":%q}`, user, resource, permission)
}

// allowedCheck is a check the demo data allows: alice administers accounts/acme.
var allowedCheck = check("alice", "accounts/acme/chats/general", "chats:read")

// deniedCheck is a check the demo data denies: bob only reads the general chat.
var deniedCheck = check("bob", "accounts/acme/chats/random", "chats:read")

// uriOf returns a URI of n segments of the given width ("s0001/s0002/...").
func uriOf(n, width int) string {
	segs := make([]string, n)
	for i := range segs {
		segs[i] = fmt.Sprintf("s%0*d", width-1, i)
	}
	return strings.Join(segs, "/")
}

// batchOf returns a batch body of n copies of check.
func batchOf(n int, check string) string {
	return `{"checks":[` + strings.TrimSuffix(strings.Repeat(check+",", n), ",") + `]}`
}

func badCases() []testkit.Case {
	long := "accounts/acme/" + strings.Repeat("x", model.MaxURIBytes-len("accounts/acme/")+1) // 513 bytes
	edge := "accounts/acme/" + strings.Repeat("x", model.MaxURIBytes-len("accounts/acme/"))   // 512 bytes
	deep := "accounts/acme/" + uriOf(model.MaxURISegments-1, 3)                               // 33 segments
	deepOK := "accounts/acme/" + uriOf(model.MaxURISegments-2, 3)                             // 32 segments
	const post, get = http.MethodPost, http.MethodGet
	return []testkit.Case{
		// Malformed bodies: 400 malformed_request.
		{Name: "truncated JSON", Method: post, Path: "/v1/authorize", Body: `{"user":"alice",`, Status: 400, Code: "malformed_request"},
		{Name: "unquoted keys", Method: post, Path: "/v1/authorize", Body: `{user: alice}`, Status: 400, Code: "malformed_request"},
		{Name: "not an object", Method: post, Path: "/v1/authorize", Body: `["alice"]`, Status: 400, Code: "malformed_request"},
		{Name: "bare string", Method: post, Path: "/v1/authorize", Body: `"alice"`, Status: 400, Code: "malformed_request"},
		{Name: "user is a number", Method: post, Path: "/v1/authorize", Body: `{"user":42,"resource":"accounts/acme","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"user"}},
		{Name: "resource is an array", Method: post, Path: "/v1/authorize", Body: `{"user":"alice","resource":["accounts","acme"],"permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "installation is an object", Method: post, Path: "/v1/authorize", Body: `{"installation":{"id":"summarizer-acme"},"resource":"accounts/acme","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"installation"}},
		{Name: "unknown field", Method: post, Path: "/v1/authorize", Body: `{"user":"alice","resource":"accounts/acme","permission":"chats:read","tenant_id":"acme"}`, Status: 422, Code: "invalid_input", Fields: []string{"tenant_id"}},
		{Name: "misspelt field", Method: post, Path: "/v1/authorize", Body: `{"usr":"alice","resource":"accounts/acme","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"usr"}},
		{Name: "trailing object", Method: post, Path: "/v1/authorize", Body: allowedCheck + allowedCheck, Status: 400, Code: "malformed_request"},
		{Name: "trailing garbage", Method: post, Path: "/v1/authorize", Body: allowedCheck + " x", Status: 400, Code: "malformed_request"},
		{Name: "trailing brace", Method: post, Path: "/v1/authorize", Body: allowedCheck + "}", Status: 400, Code: "malformed_request"},
		{Name: "trailing bracket", Method: post, Path: "/v1/authorize", Body: allowedCheck + "]", Status: 400, Code: "malformed_request"},
		{Name: "batch trailing brace", Method: post, Path: "/v1/authorize/batch", Body: batchOf(1, allowedCheck) + "}", Status: 400, Code: "malformed_request"},
		{Name: "empty body", Method: post, Path: "/v1/authorize", Body: "", Status: 400, Code: "malformed_request"},
		{Name: "blank body", Method: post, Path: "/v1/authorize", Body: " \n\t ", Status: 400, Code: "malformed_request"},
		{Name: "no body", Method: post, Path: "/v1/authorize", Status: 400, Code: "malformed_request"},
		{Name: "batch truncated", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[` + allowedCheck, Status: 400, Code: "malformed_request"},
		{Name: "batch checks not an array", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":` + allowedCheck + `}`, Status: 422, Code: "invalid_input", Fields: []string{"checks"}},
		{Name: "batch unknown field in a check", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[` + allowedCheck + `,{"user":"bob","resource":"a","permission":"b","extra":1}]}`, Status: 422, Code: "invalid_input", Fields: []string{"checks[1].extra"}},
		{Name: "batch unknown top-level field", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[` + allowedCheck + `],"limit":1}`, Status: 422, Code: "invalid_input", Fields: []string{"limit"}},

		// Invalid questions: 422 invalid_input listing every problem.
		{Name: "empty object", Method: post, Path: "/v1/authorize", Body: `{}`, Status: 422, Code: "invalid_input", Fields: []string{"permission", "resource", "user"}},
		{Name: "only user", Method: post, Path: "/v1/authorize", Body: `{"user":"alice"}`, Status: 422, Code: "invalid_input", Fields: []string{"permission", "resource"}},
		{Name: "no subject", Method: post, Path: "/v1/authorize", Body: `{"resource":"accounts/acme","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"user"}},
		{Name: "empty user", Method: post, Path: "/v1/authorize", Body: check("", "accounts/acme", "chats:read"), Status: 422, Code: "invalid_input", Fields: []string{"user"}},
		{Name: "empty installation with user", Method: post, Path: "/v1/authorize", Body: `{"user":"alice","installation":"","resource":"accounts/acme","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"installation"}},
		{Name: "empty installation alone", Method: post, Path: "/v1/authorize", Body: `{"installation":"","resource":"accounts/acme","permission":"chats:read"}`, Status: 422, Code: "invalid_input", Fields: []string{"installation", "user"}},
		{Name: "empty segment", Method: post, Path: "/v1/authorize", Body: check("alice", "accounts//acme", "chats:read"), Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "only slashes", Method: post, Path: "/v1/authorize", Body: check("alice", "//", "chats:read"), Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "uri over 512 bytes", Method: post, Path: "/v1/authorize", Body: check("alice", long, "chats:read"), Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "uri of 512 bytes", Method: post, Path: "/v1/authorize", Body: check("alice", edge, "chats:read"), Status: 200},
		{Name: "uri over 32 segments", Method: post, Path: "/v1/authorize", Body: check("alice", deep, "chats:read"), Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "uri of 32 segments", Method: post, Path: "/v1/authorize", Body: check("alice", deepOK, "chats:read"), Status: 200},
		{Name: "uri of 32 segments with slashes around", Method: post, Path: "/v1/authorize", Body: check("alice", "/"+deepOK+"/", "chats:read"), Status: 200},
		{Name: "action with empty segment", Method: post, Path: "/v1/authorize", Body: check("alice", "accounts/acme", "read::x"), Status: 422, Code: "invalid_input", Fields: []string{"permission"}},
		{Name: "action with leading colon", Method: post, Path: "/v1/authorize", Body: check("alice", "accounts/acme", ":read"), Status: 422, Code: "invalid_input", Fields: []string{"permission"}},
		{Name: "action with trailing colon", Method: post, Path: "/v1/authorize", Body: check("alice", "accounts/acme", "read:"), Status: 422, Code: "invalid_input", Fields: []string{"permission"}},
		{Name: "action over 256 characters", Method: post, Path: "/v1/authorize", Body: check("alice", "accounts/acme", strings.Repeat("é", model.MaxActionChars+1)), Status: 422, Code: "invalid_input", Fields: []string{"permission"}},
		{Name: "action of 256 two-byte characters", Method: post, Path: "/v1/authorize", Body: check("alice", "accounts/acme", strings.Repeat("é", model.MaxActionChars)), Status: 200},
		{Name: "everything wrong at once", Method: post, Path: "/v1/authorize", Body: `{"user":"","installation":"","resource":"a//b","permission":"read::x"}`, Status: 422, Code: "invalid_input", Fields: []string{"installation", "permission", "resource", "user"}},

		// Batches.
		{Name: "batch of 1001", Method: post, Path: "/v1/authorize/batch", Body: batchOf(1001, allowedCheck), Status: 413, Code: "batch_too_large"},
		{Name: "batch of 1001 invalid checks", Method: post, Path: "/v1/authorize/batch", Body: batchOf(1001, `{}`), Status: 413, Code: "batch_too_large"},
		{Name: "batch of 1000", Method: post, Path: "/v1/authorize/batch", Body: batchOf(1000, allowedCheck), Status: 200, N: 1000},
		{Name: "empty batch", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[]}`, Status: 422, Code: "invalid_input", Fields: []string{"checks"}},
		{Name: "batch without checks", Method: post, Path: "/v1/authorize/batch", Body: `{}`, Status: 422, Code: "invalid_input", Fields: []string{"checks"}},
		{Name: "batch with null checks", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":null}`, Status: 422, Code: "invalid_input", Fields: []string{"checks"}},
		{
			Name: "batch with invalid checks", Method: post, Path: "/v1/authorize/batch",
			Body: `{"checks":[` + allowedCheck + `,{"user":"alice","permission":"chats:read"},` +
				`{"user":"","resource":"a//b","permission":"read::x"},` + deniedCheck +
				`,{"installation":"","user":"bob","resource":"accounts/acme","permission":"chats:read"},{}]}`,
			Status: 422, Code: "invalid_input",
			Fields: []string{
				"checks[1].resource",
				"checks[2].permission", "checks[2].resource", "checks[2].user",
				"checks[4].installation",
				"checks[5].permission", "checks[5].resource", "checks[5].user",
			},
		},

		// Lookups.
		{Name: "lookup with empty segment", Method: get, Path: "/v1/users/alice/resources/" + url.PathEscape("accounts//acme") + "/permissions/chats:read", Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "lookup with uri over 512 bytes", Method: get, Path: "/v1/users/alice/resources/" + url.PathEscape(long) + "/permissions/chats:read", Status: 422, Code: "invalid_input", Fields: []string{"resource"}},
		{Name: "lookup with bad action", Method: get, Path: "/v1/users/alice/resources/" + url.PathEscape("accounts/acme") + "/permissions/read::x", Status: 422, Code: "invalid_input", Fields: []string{"permission"}},
		{Name: "lookup allowed", Method: get, Path: "/v1/users/alice/resources/" + url.PathEscape("accounts/acme/chats/general") + "/permissions/chats:read", Status: 200},
		{Name: "lookup not held", Method: get, Path: "/v1/users/bob/resources/" + url.PathEscape("accounts/acme") + "/permissions/chats:write", Status: 404, Code: "permission_not_found"},
		{Name: "resources limit zero", Method: get, Path: "/v1/users/alice/resources?permission=chats:read&limit=0", Status: 422, Code: "invalid_input", Fields: []string{"limit"}},
		{Name: "resources limit negative", Method: get, Path: "/v1/users/alice/resources?permission=chats:read&limit=-1", Status: 422, Code: "invalid_input", Fields: []string{"limit"}},
		{Name: "resources limit not a number", Method: get, Path: "/v1/users/alice/resources?permission=chats:read&limit=ten", Status: 422, Code: "invalid_input", Fields: []string{"limit"}},
		{Name: "resources limit fractional", Method: get, Path: "/v1/users/alice/resources?permission=chats:read&limit=1.5", Status: 422, Code: "invalid_input", Fields: []string{"limit"}},
		{Name: "resources limit over max", Method: get, Path: "/v1/users/alice/resources?permission=chats:read&limit=1001", Status: 422, Code: "invalid_input", Fields: []string{"limit"}},
		{Name: "resources limit at max", Method: get, Path: "/v1/users/alice/resources?permission=chats:read&limit=1000", Status: 200},
		{Name: "resources bad cursor", Method: get, Path: "/v1/users/alice/resources?permission=chats:read&cursor=" + url.QueryEscape("not a cursor!"), Status: 422, Code: "invalid_input", Fields: []string{"cursor"}},
		{Name: "resources bad limit and cursor", Method: get, Path: "/v1/users/alice/resources?permission=chats:read&limit=x&cursor=%25%25", Status: 422, Code: "invalid_input", Fields: []string{"cursor", "limit"}},
		{Name: "resources bad limit and permission", Method: get, Path: "/v1/users/alice/resources?permission=read::x&limit=0", Status: 422, Code: "invalid_input", Fields: []string{"limit", "permission"}},
		{Name: "resources without permission", Method: get, Path: "/v1/users/alice/resources", Status: 422, Code: "invalid_input", Fields: []string{"permission"}},
		{Name: "resources bad prefix", Method: get, Path: "/v1/users/alice/resources?permission=chats:read&prefix=" + url.QueryEscape("a//b"), Status: 422, Code: "invalid_input", Fields: []string{"prefix"}},
		{Name: "memberships without context", Method: get, Path: "/v1/users/carol/memberships", Status: 422, Code: "invalid_input", Fields: []string{"context"}},
		{Name: "memberships bad context", Method: get, Path: "/v1/users/carol/memberships?context=" + url.QueryEscape("customers//acme"), Status: 422, Code: "invalid_input", Fields: []string{"context"}},

		// Unknown routes and wrong methods.
		{Name: "unknown route", Method: get, Path: "/v1/nothing-here", Status: 404, Code: "not_found"},
		{Name: "unknown version", Method: post, Path: "/v2/authorize", Body: allowedCheck, Status: 404, Code: "not_found"},
		{Name: "unknown sub-route", Method: post, Path: "/v1/authorize/batches", Body: allowedCheck, Status: 404, Code: "not_found"},
		{Name: "root", Method: get, Path: "/", Status: 404, Code: "not_found"},
		{Name: "GET authorize", Method: get, Path: "/v1/authorize", Status: 405, Code: "method_not_allowed"},
		{Name: "PUT batch", Method: http.MethodPut, Path: "/v1/authorize/batch", Body: `{"checks":[]}`, Status: 405, Code: "method_not_allowed"},
		{Name: "DELETE health", Method: http.MethodDelete, Path: "/health", Status: 405, Code: "method_not_allowed"},
		{Name: "POST status", Method: post, Path: "/v1/status", Body: `{}`, Status: 405, Code: "method_not_allowed"},
		{Name: "POST lookup", Method: post, Path: "/v1/users/alice/resources", Body: `{}`, Status: 405, Code: "method_not_allowed"},
		{Name: "DELETE data", Method: http.MethodDelete, Path: "/v1/data/gatehouse/authz/allow", Status: 405, Code: "method_not_allowed"},
	}
}

// send sends a request without touching t, so goroutines may use it.
func send(client *http.Client, base, method, path string, body any) (int, []byte, http.Header, error) {
	var r io.Reader
	switch b := body.(type) {
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header, err
}

// rawRequest writes a request head and then a body over a fresh connection and
// reads the answer. The body is written concurrently and write errors are
// ignored: a server refusing a large body answers and closes without
// reading it, which is what is under test.
func rawRequest(t *testing.T, addr, head string, writeBody func(io.Writer) error) (int, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		w := bufio.NewWriterSize(conn, 64<<10)
		if writeBody(w) == nil {
			_ = w.Flush()
		}
	})
	defer wg.Wait()
	defer conn.Close() // before the wait: unblocks a writer the server stopped reading
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response body: %v", err)
	}
	return resp.StatusCode, raw
}

// padded returns an allowed check padded with trailing spaces to exactly n bytes.
func padded(n int) []byte {
	b := make([]byte, n)
	copy(b, allowedCheck)
	for i := len(allowedCheck); i < n; i++ {
		b[i] = ' '
	}
	return b
}

func writeChunked(body []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		for len(body) > 0 {
			n := min(len(body), 32<<10)
			if _, err := fmt.Fprintf(w, "%x\r\n%s\r\n", n, body[:n]); err != nil {
				return err
			}
			body = body[n:]
		}
		_, err := io.WriteString(w, "0\r\n\r\n")
		return err
	}
}

// testBodyLimit sends bodies around the 1 MiB limit, with a Content-Length
// and chunked (length unknown up front).
func testBodyLimit(t *testing.T, g *testkit.Gate) {
	addr := strings.TrimPrefix(g.Base, "http://")
	sizes := []struct {
		name   string
		size   int
		status int
	}{
		{"at the limit", mib, http.StatusOK},
		{"one byte over", mib + 1, http.StatusRequestEntityTooLarge},
		{"three MiB", 3 * mib, http.StatusRequestEntityTooLarge},
	}
	for _, sz := range sizes {
		body := padded(sz.size)
		modes := []struct {
			name  string
			head  string
			write func(io.Writer) error
		}{
			{"content-length", fmt.Sprintf("Content-Length: %d\r\n", len(body)),
				func(w io.Writer) error { _, err := w.Write(body); return err }},
			{"chunked", "Transfer-Encoding: chunked\r\n", writeChunked(body)},
		}
		for _, m := range modes {
			t.Run(m.name+"/"+sz.name, func(t *testing.T) {
				head := "POST /v1/authorize HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nConnection: close\r\n" + m.head
				status, raw := rawRequest(t, addr, head, m.write)
				if status != sz.status {
					t.Fatalf("status %d, want %d; body %.300s", status, sz.status, raw)
				}
				if sz.status == http.StatusOK {
					var d struct{ Allowed bool }
					if err := json.Unmarshal(raw, &d); err != nil || !d.Allowed {
						t.Fatalf("want an allow, got %s (%v)", raw, err)
					}
					return
				}
				if why, _ := testkit.ErrorProblems(raw, "too_large"); why != "" {
					t.Fatal(why)
				}
			})
		}
	}
	t.Run("batch body over the limit", func(t *testing.T) {
		// Valid checks, few enough for the batch limit, too many bytes for the body limit.
		// Each check is padded with spaces to 1100 bytes, so about 950 fill a MiB.
		big := allowedCheck + strings.Repeat(" ", 1100-len(allowedCheck))
		body := batchOf(mib/len(big)+1, big)
		if n := mib/len(big) + 1; n > 1000 {
			t.Fatalf("test bug: %d checks exceed the batch limit", n)
		}
		code, raw := g.Do(http.MethodPost, "/v1/authorize/batch", body)
		testkit.Case{Method: "POST", Path: "/v1/authorize/batch", Status: 413, Code: "too_large"}.Verify(t, code, raw)
	})
}

// burstCase is a request and the status it must get.
type burstCase struct {
	method, path string
	body         any
	status       int
	allowed      *bool // for 200 decisions
}

func burstCases() []burstCase {
	yes, no := true, false
	return []burstCase{
		{"POST", "/v1/authorize", allowedCheck, 200, &yes},
		{"POST", "/v1/authorize", deniedCheck, 200, &no},
		{"POST", "/v1/authorize", `{"user":"alice",`, 400, nil},
		{"POST", "/v1/authorize", `{"user":42}`, 422, nil},
		{"POST", "/v1/authorize", allowedCheck + `{}`, 400, nil},
		{"POST", "/v1/authorize", `{}`, 422, nil},
		{"POST", "/v1/authorize", check("alice", "a//b", "read::x"), 422, nil},
		{"POST", "/v1/authorize/batch", `{"checks":[]}`, 422, nil},
		{"POST", "/v1/authorize/batch", batchOf(1001, allowedCheck), 413, nil},
		{"POST", "/v1/authorize/batch", batchOf(3, allowedCheck), 200, nil},
		{"POST", "/v1/authorize", padded(mib + 10), 413, nil},
		{"GET", "/v1/users/alice/resources?permission=chats:read&limit=0", nil, 422, nil},
		{"GET", "/v1/users/alice/resources?permission=chats:read", nil, 200, nil},
		{"GET", "/v1/nope", nil, 404, nil},
		{"GET", "/v1/authorize", nil, 405, nil},
		{"POST", "/v1/data/gatehouse/authz/allow", `{"input":` + allowedCheck + `}`, 200, nil},
		{"POST", "/v1/data/gatehouse/authz/allow", `{"input":`, 400, nil},
	}
}

// burst sends n mixed requests from workers goroutines and checks every answer.
func burst(t *testing.T, g *testkit.Gate, n, workers int) {
	cases := burstCases()
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers},
	}
	t.Cleanup(client.CloseIdleConnections)
	jobs := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				c := cases[i%len(cases)]
				errs <- burstOne(client, g.Base, c)
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
			if failed <= 10 {
				t.Error(err)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d requests got a wrong answer", failed, n)
	}
}

func burstOne(client *http.Client, base string, c burstCase) error {
	status, raw, _, err := send(client, base, c.method, c.path, c.body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", c.method, c.path, err)
	}
	if status != c.status {
		return fmt.Errorf("%s %s: status %d, want %d; body %.200s", c.method, c.path, status, c.status, raw)
	}
	if c.allowed != nil {
		var d struct {
			Allowed *bool `json:"allowed"`
		}
		if err := json.Unmarshal(raw, &d); err != nil || d.Allowed == nil || *d.Allowed != *c.allowed {
			return fmt.Errorf("%s %s: want allowed=%v, got %s", c.method, c.path, *c.allowed, raw)
		}
	}
	return nil
}

func TestBadInput(t *testing.T) {
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	var before api.StatusResponse
	g.JSON(http.MethodGet, "/v1/status", nil, http.StatusOK, &before)
	if !before.Ready || before.Revision == 0 {
		t.Fatalf("status before: %+v", before)
	}

	t.Run("requests", func(t *testing.T) {
		for _, c := range append(badCases(), boundaryCases()...) {
			t.Run(c.Name, func(t *testing.T) {
				if c.Bug != "" {
					t.Skip("BUG: " + c.Bug)
				}
				status, raw, hdr, err := send(http.DefaultClient, g.Base, c.Method, c.Path, c.Body)
				if err != nil {
					t.Fatal(err)
				}
				if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q, want application/json", ct)
				}
				if c.Status == http.StatusMethodNotAllowed && hdr.Get("Allow") == "" {
					t.Errorf("405 without an Allow header")
				}
				c.Verify(t, status, raw)
			})
		}
	})
	t.Run("body limit", func(t *testing.T) { testBodyLimit(t, g) })
	t.Run("concurrent burst", func(t *testing.T) { burst(t, g, 200, 8) })

	t.Run("still serving", func(t *testing.T) {
		var allow, deny engine.Decision
		g.JSON(http.MethodPost, "/v1/authorize", allowedCheck, http.StatusOK, &allow)
		if !allow.Allowed || allow.DeniedBy != nil || len(allow.Reasons) == 0 || allow.Revision != before.Revision {
			t.Errorf("alice reading the general chat: %+v, want allowed with reasons at revision %d", allow, before.Revision)
		}
		g.JSON(http.MethodPost, "/v1/authorize", deniedCheck, http.StatusOK, &deny)
		if deny.Allowed || deny.DeniedBy == nil || *deny.DeniedBy != "user" {
			t.Errorf("bob reading another chat: %+v, want denied by user", deny)
		}
		var after api.StatusResponse
		g.JSON(http.MethodGet, "/v1/status", nil, http.StatusOK, &after)
		if after.Revision != before.Revision {
			t.Errorf("revision moved from %d to %d after bad input", before.Revision, after.Revision)
		}
		if diff := cmp.Diff(before.Documents, after.Documents); diff != "" {
			t.Errorf("documents changed (-before +after):\n%s", diff)
		}
	})
}
