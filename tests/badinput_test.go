package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
)

// biMiB is the server's default request body limit.
const biMiB = 1 << 20

// biCase is one bad (or boundary) request and the answer it must get.
type biCase struct {
	name   string
	method string
	path   string
	body   any // nil, string or []byte, sent as is
	status int
	code   string   // error code; "" for a success
	fields []string // the distinct errors[].field values, sorted; nil to not check
	bug    string   // a known product bug: the case is skipped with this message
	n      int      // for a 200 batch: the number of results
}

// biCheck is a well-formed decision question over the demo data.
func biCheck(user, resource, permission string) string {
	return fmt.Sprintf(`{"user":%q,"resource":%q,"permission":%q}`, user, resource, permission)
}

// biAllowed is a check the demo data allows: alice administers accounts/acme.
var biAllowed = biCheck("alice", "accounts/acme/chats/general", "chats:read")

// biDenied is a check the demo data denies: bob only reads the general chat.
var biDenied = biCheck("bob", "accounts/acme/chats/random", "chats:read")

// biURI returns a URI of n segments of the given width ("s0001/s0002/...").
func biURI(n, width int) string {
	segs := make([]string, n)
	for i := range segs {
		segs[i] = fmt.Sprintf("s%0*d", width-1, i)
	}
	return strings.Join(segs, "/")
}

// biBatch returns a batch body of n copies of check.
func biBatch(n int, check string) string {
	return `{"checks":[` + strings.TrimSuffix(strings.Repeat(check+",", n), ",") + `]}`
}

func biCases() []biCase {
	long := "accounts/acme/" + strings.Repeat("x", model.MaxURIBytes-len("accounts/acme/")+1) // 513 bytes
	edge := "accounts/acme/" + strings.Repeat("x", model.MaxURIBytes-len("accounts/acme/"))   // 512 bytes
	deep := "accounts/acme/" + biURI(model.MaxURISegments-1, 3)                               // 33 segments
	deepOK := "accounts/acme/" + biURI(model.MaxURISegments-2, 3)                             // 32 segments
	const post, get = http.MethodPost, http.MethodGet
	return []biCase{
		// Malformed bodies: 400 malformed_request.
		{name: "truncated JSON", method: post, path: "/v1/authorize", body: `{"user":"alice",`, status: 400, code: "malformed_request"},
		{name: "unquoted keys", method: post, path: "/v1/authorize", body: `{user: alice}`, status: 400, code: "malformed_request"},
		{name: "not an object", method: post, path: "/v1/authorize", body: `["alice"]`, status: 400, code: "malformed_request"},
		{name: "bare string", method: post, path: "/v1/authorize", body: `"alice"`, status: 400, code: "malformed_request"},
		{name: "user is a number", method: post, path: "/v1/authorize", body: `{"user":42,"resource":"accounts/acme","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"user"}},
		{name: "resource is an array", method: post, path: "/v1/authorize", body: `{"user":"alice","resource":["accounts","acme"],"permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "installation is an object", method: post, path: "/v1/authorize", body: `{"installation":{"id":"summarizer-acme"},"resource":"accounts/acme","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"installation"}},
		{name: "unknown field", method: post, path: "/v1/authorize", body: `{"user":"alice","resource":"accounts/acme","permission":"chats:read","tenant_id":"acme"}`, status: 422, code: "invalid_input", fields: []string{"tenant_id"}},
		{name: "misspelt field", method: post, path: "/v1/authorize", body: `{"usr":"alice","resource":"accounts/acme","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"usr"}},
		{name: "trailing object", method: post, path: "/v1/authorize", body: biAllowed + biAllowed, status: 400, code: "malformed_request"},
		{name: "trailing garbage", method: post, path: "/v1/authorize", body: biAllowed + " x", status: 400, code: "malformed_request"},
		{name: "trailing brace", method: post, path: "/v1/authorize", body: biAllowed + "}", status: 400, code: "malformed_request"},
		{name: "trailing bracket", method: post, path: "/v1/authorize", body: biAllowed + "]", status: 400, code: "malformed_request"},
		{name: "batch trailing brace", method: post, path: "/v1/authorize/batch", body: biBatch(1, biAllowed) + "}", status: 400, code: "malformed_request"},
		{name: "empty body", method: post, path: "/v1/authorize", body: "", status: 400, code: "malformed_request"},
		{name: "blank body", method: post, path: "/v1/authorize", body: " \n\t ", status: 400, code: "malformed_request"},
		{name: "no body", method: post, path: "/v1/authorize", status: 400, code: "malformed_request"},
		{name: "batch truncated", method: post, path: "/v1/authorize/batch", body: `{"checks":[` + biAllowed, status: 400, code: "malformed_request"},
		{name: "batch checks not an array", method: post, path: "/v1/authorize/batch", body: `{"checks":` + biAllowed + `}`, status: 422, code: "invalid_input", fields: []string{"checks"}},
		{name: "batch unknown field in a check", method: post, path: "/v1/authorize/batch", body: `{"checks":[` + biAllowed + `,{"user":"bob","resource":"a","permission":"b","extra":1}]}`, status: 422, code: "invalid_input", fields: []string{"checks[1].extra"}},
		{name: "batch unknown top-level field", method: post, path: "/v1/authorize/batch", body: `{"checks":[` + biAllowed + `],"limit":1}`, status: 422, code: "invalid_input", fields: []string{"limit"}},

		// Invalid questions: 422 invalid_input listing every problem.
		{name: "empty object", method: post, path: "/v1/authorize", body: `{}`, status: 422, code: "invalid_input", fields: []string{"permission", "resource", "user"}},
		{name: "only user", method: post, path: "/v1/authorize", body: `{"user":"alice"}`, status: 422, code: "invalid_input", fields: []string{"permission", "resource"}},
		{name: "no subject", method: post, path: "/v1/authorize", body: `{"resource":"accounts/acme","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"user"}},
		{name: "empty user", method: post, path: "/v1/authorize", body: biCheck("", "accounts/acme", "chats:read"), status: 422, code: "invalid_input", fields: []string{"user"}},
		{name: "empty installation with user", method: post, path: "/v1/authorize", body: `{"user":"alice","installation":"","resource":"accounts/acme","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"installation"}},
		{name: "empty installation alone", method: post, path: "/v1/authorize", body: `{"installation":"","resource":"accounts/acme","permission":"chats:read"}`, status: 422, code: "invalid_input", fields: []string{"installation", "user"}},
		{name: "empty segment", method: post, path: "/v1/authorize", body: biCheck("alice", "accounts//acme", "chats:read"), status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "only slashes", method: post, path: "/v1/authorize", body: biCheck("alice", "//", "chats:read"), status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "uri over 512 bytes", method: post, path: "/v1/authorize", body: biCheck("alice", long, "chats:read"), status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "uri of 512 bytes", method: post, path: "/v1/authorize", body: biCheck("alice", edge, "chats:read"), status: 200},
		{name: "uri over 32 segments", method: post, path: "/v1/authorize", body: biCheck("alice", deep, "chats:read"), status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "uri of 32 segments", method: post, path: "/v1/authorize", body: biCheck("alice", deepOK, "chats:read"), status: 200},
		{name: "uri of 32 segments with slashes around", method: post, path: "/v1/authorize", body: biCheck("alice", "/"+deepOK+"/", "chats:read"), status: 200},
		{name: "action with empty segment", method: post, path: "/v1/authorize", body: biCheck("alice", "accounts/acme", "read::x"), status: 422, code: "invalid_input", fields: []string{"permission"}},
		{name: "action with leading colon", method: post, path: "/v1/authorize", body: biCheck("alice", "accounts/acme", ":read"), status: 422, code: "invalid_input", fields: []string{"permission"}},
		{name: "action with trailing colon", method: post, path: "/v1/authorize", body: biCheck("alice", "accounts/acme", "read:"), status: 422, code: "invalid_input", fields: []string{"permission"}},
		{name: "action over 256 characters", method: post, path: "/v1/authorize", body: biCheck("alice", "accounts/acme", strings.Repeat("é", model.MaxActionChars+1)), status: 422, code: "invalid_input", fields: []string{"permission"}},
		{name: "action of 256 two-byte characters", method: post, path: "/v1/authorize", body: biCheck("alice", "accounts/acme", strings.Repeat("é", model.MaxActionChars)), status: 200},
		{name: "everything wrong at once", method: post, path: "/v1/authorize", body: `{"user":"","installation":"","resource":"a//b","permission":"read::x"}`, status: 422, code: "invalid_input", fields: []string{"installation", "permission", "resource", "user"}},

		// Batches.
		{name: "batch of 1001", method: post, path: "/v1/authorize/batch", body: biBatch(1001, biAllowed), status: 413, code: "batch_too_large"},
		{name: "batch of 1001 invalid checks", method: post, path: "/v1/authorize/batch", body: biBatch(1001, `{}`), status: 413, code: "batch_too_large"},
		{name: "batch of 1000", method: post, path: "/v1/authorize/batch", body: biBatch(1000, biAllowed), status: 200, n: 1000},
		{name: "empty batch", method: post, path: "/v1/authorize/batch", body: `{"checks":[]}`, status: 422, code: "invalid_input", fields: []string{"checks"}},
		{name: "batch without checks", method: post, path: "/v1/authorize/batch", body: `{}`, status: 422, code: "invalid_input", fields: []string{"checks"}},
		{name: "batch with null checks", method: post, path: "/v1/authorize/batch", body: `{"checks":null}`, status: 422, code: "invalid_input", fields: []string{"checks"}},
		{
			name: "batch with invalid checks", method: post, path: "/v1/authorize/batch",
			body: `{"checks":[` + biAllowed + `,{"user":"alice","permission":"chats:read"},` +
				`{"user":"","resource":"a//b","permission":"read::x"},` + biDenied +
				`,{"installation":"","user":"bob","resource":"accounts/acme","permission":"chats:read"},{}]}`,
			status: 422, code: "invalid_input",
			fields: []string{
				"checks[1].resource",
				"checks[2].permission", "checks[2].resource", "checks[2].user",
				"checks[4].installation",
				"checks[5].permission", "checks[5].resource", "checks[5].user",
			},
		},

		// Lookups.
		{name: "lookup with empty segment", method: get, path: "/v1/users/alice/resources/" + url.PathEscape("accounts//acme") + "/permissions/chats:read", status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "lookup with uri over 512 bytes", method: get, path: "/v1/users/alice/resources/" + url.PathEscape(long) + "/permissions/chats:read", status: 422, code: "invalid_input", fields: []string{"resource"}},
		{name: "lookup with bad action", method: get, path: "/v1/users/alice/resources/" + url.PathEscape("accounts/acme") + "/permissions/read::x", status: 422, code: "invalid_input", fields: []string{"permission"}},
		{name: "lookup allowed", method: get, path: "/v1/users/alice/resources/" + url.PathEscape("accounts/acme/chats/general") + "/permissions/chats:read", status: 200},
		{name: "lookup not held", method: get, path: "/v1/users/bob/resources/" + url.PathEscape("accounts/acme") + "/permissions/chats:write", status: 404, code: "permission_not_found"},
		{name: "resources limit zero", method: get, path: "/v1/users/alice/resources?permission=chats:read&limit=0", status: 422, code: "invalid_input", fields: []string{"limit"}},
		{name: "resources limit negative", method: get, path: "/v1/users/alice/resources?permission=chats:read&limit=-1", status: 422, code: "invalid_input", fields: []string{"limit"}},
		{name: "resources limit not a number", method: get, path: "/v1/users/alice/resources?permission=chats:read&limit=ten", status: 422, code: "invalid_input", fields: []string{"limit"}},
		{name: "resources limit fractional", method: get, path: "/v1/users/alice/resources?permission=chats:read&limit=1.5", status: 422, code: "invalid_input", fields: []string{"limit"}},
		{name: "resources limit over max", method: get, path: "/v1/users/alice/resources?permission=chats:read&limit=1001", status: 422, code: "invalid_input", fields: []string{"limit"}},
		{name: "resources limit at max", method: get, path: "/v1/users/alice/resources?permission=chats:read&limit=1000", status: 200},
		{name: "resources bad cursor", method: get, path: "/v1/users/alice/resources?permission=chats:read&cursor=" + url.QueryEscape("not a cursor!"), status: 422, code: "invalid_input", fields: []string{"cursor"}},
		{name: "resources bad limit and cursor", method: get, path: "/v1/users/alice/resources?permission=chats:read&limit=x&cursor=%25%25", status: 422, code: "invalid_input", fields: []string{"cursor", "limit"}},
		{name: "resources bad limit and permission", method: get, path: "/v1/users/alice/resources?permission=read::x&limit=0", status: 422, code: "invalid_input", fields: []string{"limit", "permission"}},
		{name: "resources without permission", method: get, path: "/v1/users/alice/resources", status: 422, code: "invalid_input", fields: []string{"permission"}},
		{name: "resources bad prefix", method: get, path: "/v1/users/alice/resources?permission=chats:read&prefix=" + url.QueryEscape("a//b"), status: 422, code: "invalid_input", fields: []string{"prefix"}},
		{name: "memberships without context", method: get, path: "/v1/users/carol/memberships", status: 422, code: "invalid_input", fields: []string{"context"}},
		{name: "memberships bad context", method: get, path: "/v1/users/carol/memberships?context=" + url.QueryEscape("customers//acme"), status: 422, code: "invalid_input", fields: []string{"context"}},

		// Unknown routes and wrong methods.
		{name: "unknown route", method: get, path: "/v1/nothing-here", status: 404, code: "not_found"},
		{name: "unknown version", method: post, path: "/v2/authorize", body: biAllowed, status: 404, code: "not_found"},
		{name: "unknown sub-route", method: post, path: "/v1/authorize/batches", body: biAllowed, status: 404, code: "not_found"},
		{name: "root", method: get, path: "/", status: 404, code: "not_found"},
		{name: "GET authorize", method: get, path: "/v1/authorize", status: 405, code: "method_not_allowed"},
		{name: "PUT batch", method: http.MethodPut, path: "/v1/authorize/batch", body: `{"checks":[]}`, status: 405, code: "method_not_allowed"},
		{name: "DELETE health", method: http.MethodDelete, path: "/health", status: 405, code: "method_not_allowed"},
		{name: "POST status", method: post, path: "/v1/status", body: `{}`, status: 405, code: "method_not_allowed"},
		{name: "POST lookup", method: post, path: "/v1/users/alice/resources", body: `{}`, status: 405, code: "method_not_allowed"},
		{name: "DELETE data", method: http.MethodDelete, path: "/v1/data/gatehouse/authz/allow", status: 405, code: "method_not_allowed"},
	}
}

// biErrorBody is the one error shape; decoding it strictly rejects extra keys.
type biErrorBody struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
	Errors  *[]model.Problem `json:"errors"`
}

var biSnakeCase = regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)

// biErrorProblems checks that raw is a well-formed error body with the
// wanted code, and returns why not ("" when it is) and its sorted distinct fields.
func biErrorProblems(raw []byte, wantCode string) (string, []string) {
	var body biErrorBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return fmt.Sprintf("error body %s is not {code, message, errors}: %v", raw, err), nil
	}
	switch {
	case body.Code != wantCode:
		return fmt.Sprintf("code %q, want %q; body %s", body.Code, wantCode, raw), nil
	case !biSnakeCase.MatchString(body.Code):
		return fmt.Sprintf("code %q is not snake_case", body.Code), nil
	case body.Message == "":
		return fmt.Sprintf("empty message in %s", raw), nil
	case strings.Contains(body.Message, "goroutine") || strings.Contains(body.Message, "runtime error"):
		return fmt.Sprintf("message leaks internals: %q", body.Message), nil
	}
	var fields []string
	if body.Errors != nil {
		for _, p := range *body.Errors {
			if p.Field == "" || p.Message == "" {
				return fmt.Sprintf("problem without field or message in %s", raw), nil
			}
			fields = append(fields, p.Field)
		}
	}
	slices.Sort(fields)
	return "", slices.Compact(fields)
}

// biVerify checks one answer against its case.
func biVerify(t *testing.T, c biCase, status int, raw []byte) {
	t.Helper()
	if status != c.status {
		t.Fatalf("%s %s: status %d, want %d; body %.300s", c.method, c.path, status, c.status, raw)
	}
	if c.code == "" {
		if !json.Valid(raw) {
			t.Fatalf("success body is not JSON: %.300s", raw)
		}
		if c.n > 0 {
			var batch struct {
				Results []struct{ Allowed bool } `json:"results"`
			}
			if err := json.Unmarshal(raw, &batch); err != nil {
				t.Fatal(err)
			}
			if len(batch.Results) != c.n || !batch.Results[0].Allowed || !batch.Results[c.n-1].Allowed {
				t.Errorf("%d results, want %d allowed", len(batch.Results), c.n)
			}
		}
		return
	}
	why, fields := biErrorProblems(raw, c.code)
	if why != "" {
		t.Fatal(why)
	}
	if c.fields != nil {
		if diff := cmp.Diff(c.fields, fields); diff != "" {
			t.Errorf("errors[].field (-want +got):\n%s\nbody %s", diff, raw)
		}
	}
	if c.status == http.StatusUnprocessableEntity && len(fields) == 0 {
		t.Errorf("422 without any problem listed: %s", raw)
	}
}

// biSend sends a request without touching t, so goroutines may use it.
func biSend(client *http.Client, base, method, path string, body any) (int, []byte, http.Header, error) {
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

// biRaw writes a request head and then a body over a fresh connection and
// reads the answer. The body is written concurrently and write errors are
// ignored: a server refusing a large body answers and closes without
// reading it, which is what is under test.
func biRaw(t *testing.T, addr, head string, writeBody func(io.Writer) error) (int, []byte) {
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

// biPadded returns an allowed check padded with trailing spaces to exactly n bytes.
func biPadded(n int) []byte {
	b := make([]byte, n)
	copy(b, biAllowed)
	for i := len(biAllowed); i < n; i++ {
		b[i] = ' '
	}
	return b
}

func biWriteChunked(body []byte) func(io.Writer) error {
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

// biBodyLimit sends bodies around the 1 MiB limit, with a Content-Length
// and chunked (length unknown up front).
func biBodyLimit(t *testing.T, g *gate) {
	addr := strings.TrimPrefix(g.base, "http://")
	sizes := []struct {
		name   string
		size   int
		status int
	}{
		{"at the limit", biMiB, http.StatusOK},
		{"one byte over", biMiB + 1, http.StatusRequestEntityTooLarge},
		{"three MiB", 3 * biMiB, http.StatusRequestEntityTooLarge},
	}
	for _, sz := range sizes {
		body := biPadded(sz.size)
		modes := []struct {
			name  string
			head  string
			write func(io.Writer) error
		}{
			{"content-length", fmt.Sprintf("Content-Length: %d\r\n", len(body)),
				func(w io.Writer) error { _, err := w.Write(body); return err }},
			{"chunked", "Transfer-Encoding: chunked\r\n", biWriteChunked(body)},
		}
		for _, m := range modes {
			t.Run(m.name+"/"+sz.name, func(t *testing.T) {
				head := "POST /v1/authorize HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nConnection: close\r\n" + m.head
				status, raw := biRaw(t, addr, head, m.write)
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
				if why, _ := biErrorProblems(raw, "too_large"); why != "" {
					t.Fatal(why)
				}
			})
		}
	}
	t.Run("batch body over the limit", func(t *testing.T) {
		// Valid checks, few enough for the batch limit, too many bytes for the body limit.
		// Each check is padded with spaces to 1100 bytes, so about 950 fill a MiB.
		big := biAllowed + strings.Repeat(" ", 1100-len(biAllowed))
		body := biBatch(biMiB/len(big)+1, big)
		if n := biMiB/len(big) + 1; n > 1000 {
			t.Fatalf("test bug: %d checks exceed the batch limit", n)
		}
		code, raw := g.do(http.MethodPost, "/v1/authorize/batch", body)
		biVerify(t, biCase{method: "POST", path: "/v1/authorize/batch", status: 413, code: "too_large"}, code, raw)
	})
}

// biBurstCase is a request and the status it must get.
type biBurstCase struct {
	method, path string
	body         any
	status       int
	allowed      *bool // for 200 decisions
}

func biBurstCases() []biBurstCase {
	yes, no := true, false
	return []biBurstCase{
		{"POST", "/v1/authorize", biAllowed, 200, &yes},
		{"POST", "/v1/authorize", biDenied, 200, &no},
		{"POST", "/v1/authorize", `{"user":"alice",`, 400, nil},
		{"POST", "/v1/authorize", `{"user":42}`, 422, nil},
		{"POST", "/v1/authorize", biAllowed + `{}`, 400, nil},
		{"POST", "/v1/authorize", `{}`, 422, nil},
		{"POST", "/v1/authorize", biCheck("alice", "a//b", "read::x"), 422, nil},
		{"POST", "/v1/authorize/batch", `{"checks":[]}`, 422, nil},
		{"POST", "/v1/authorize/batch", biBatch(1001, biAllowed), 413, nil},
		{"POST", "/v1/authorize/batch", biBatch(3, biAllowed), 200, nil},
		{"POST", "/v1/authorize", biPadded(biMiB + 10), 413, nil},
		{"GET", "/v1/users/alice/resources?permission=chats:read&limit=0", nil, 422, nil},
		{"GET", "/v1/users/alice/resources?permission=chats:read", nil, 200, nil},
		{"GET", "/v1/nope", nil, 404, nil},
		{"GET", "/v1/authorize", nil, 405, nil},
		{"POST", "/v1/data/gatehouse/authz/allow", `{"input":` + biAllowed + `}`, 200, nil},
		{"POST", "/v1/data/gatehouse/authz/allow", `{"input":`, 400, nil},
	}
}

// biBurst sends n mixed requests from workers goroutines and checks every answer.
func biBurst(t *testing.T, g *gate, n, workers int) {
	cases := biBurstCases()
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
				errs <- biBurstOne(client, g.base, c)
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

func biBurstOne(client *http.Client, base string, c biBurstCase) error {
	status, raw, _, err := biSend(client, base, c.method, c.path, c.body)
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
	g := startGate(t, demoSnapshot(t))
	var before biStatus
	g.json(http.MethodGet, "/v1/status", nil, http.StatusOK, &before)
	if !before.Ready || before.Revision == 0 {
		t.Fatalf("status before: %+v", before)
	}

	t.Run("requests", func(t *testing.T) {
		for _, c := range append(biCases(), biBoundaryCases()...) {
			t.Run(c.name, func(t *testing.T) {
				if c.bug != "" {
					t.Skip("BUG: " + c.bug)
				}
				status, raw, hdr, err := biSend(http.DefaultClient, g.base, c.method, c.path, c.body)
				if err != nil {
					t.Fatal(err)
				}
				if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q, want application/json", ct)
				}
				if c.status == http.StatusMethodNotAllowed && hdr.Get("Allow") == "" {
					t.Errorf("405 without an Allow header")
				}
				biVerify(t, c, status, raw)
			})
		}
	})
	t.Run("body limit", func(t *testing.T) { biBodyLimit(t, g) })
	t.Run("concurrent burst", func(t *testing.T) { biBurst(t, g, 200, 8) })

	t.Run("still serving", func(t *testing.T) {
		var allow, deny struct {
			Allowed  bool             `json:"allowed"`
			Revision uint64           `json:"revision"`
			Reasons  []map[string]any `json:"reasons"`
			DeniedBy *string          `json:"denied_by"`
		}
		g.json(http.MethodPost, "/v1/authorize", biAllowed, http.StatusOK, &allow)
		if !allow.Allowed || allow.DeniedBy != nil || len(allow.Reasons) == 0 || allow.Revision != before.Revision {
			t.Errorf("alice reading the general chat: %+v, want allowed with reasons at revision %d", allow, before.Revision)
		}
		g.json(http.MethodPost, "/v1/authorize", biDenied, http.StatusOK, &deny)
		if deny.Allowed || deny.DeniedBy == nil || *deny.DeniedBy != "user" {
			t.Errorf("bob reading another chat: %+v, want denied by user", deny)
		}
		var after biStatus
		g.json(http.MethodGet, "/v1/status", nil, http.StatusOK, &after)
		if after.Revision != before.Revision {
			t.Errorf("revision moved from %d to %d after bad input", before.Revision, after.Revision)
		}
		if diff := cmp.Diff(before.Documents, after.Documents); diff != "" {
			t.Errorf("documents changed (-before +after):\n%s", diff)
		}
	})
}

// biStatus is the part of /v1/status these tests read.
type biStatus struct {
	Ready     bool           `json:"ready"`
	Revision  uint64         `json:"revision"`
	Documents map[string]int `json:"documents"`
	Skipped   map[string]int `json:"skipped"`
}
