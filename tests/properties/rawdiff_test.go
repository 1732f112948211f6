package properties

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// The raw-body differential: /v1/authorize (native), the batch endpoint
// and data.gatehouse.authz.decision (Rego) get the same generated raw
// JSON bodies — nulls, wrong types, repeated keys, control characters,
// unknown keys, limits — and must agree on every one: what the API
// accepts the Rego decides the same way, what it refuses as invalid the
// Rego calls invalid_input.

// diffCaseCount is how many bodies the test sends; GATEHOUSE_DIFF_CASES raises it.
func diffCaseCount(t *testing.T) int {
	if s := os.Getenv("GATEHOUSE_DIFF_CASES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("GATEHOUSE_DIFF_CASES=%q: want a positive number", s)
		}
		return n
	}
	return 800
}

// fieldValues are raw JSON values for a field, valid and not.
var fieldValues = map[string][]string{
	"user": {`"alice"`, `"bob"`, `"carol"`, `"dan"`, `"mallory"`, `""`, `" "`, `null`, `42`, `true`, `["alice"]`, `{"id":"alice"}`,
		`"alice\u0000"`, `"al\nice"`, `"\u0085"`, `"\ud800"`, `"` + strings.Repeat("u", 513) + `"`, `"é"`},
	"installation": {`"summarizer-acme"`, `"summarizer-paused"`, `"nope"`, `""`, `null`, `0`, `false`, `[]`, `"summarizer-acme\u007f"`},
	"resource": {`"accounts/acme/chats/general"`, `"accounts/acme"`, `"/accounts/acme/chats/random/"`, `"customers/acme/projects/p1/files"`,
		`"accounts/acme/../other"`, `"accounts/./acme"`, `"a//b"`, `""`, `"/"`, `null`, `1.5`, `["accounts"]`, `"acct\u0000read"`,
		`"accounts/acme/` + strings.Repeat("x", 499) + `"`, `"accounts/acme/` + strings.Repeat("x", 498) + `"`,
		`"` + strings.Repeat("s/", 31) + `s"`, `"` + strings.Repeat("s/", 32) + `s"`, `"accounts/*"`},
	"permission": {`"chats:read"`, `"chats:write"`, `"CHATS:READ"`, `"files:read"`, `"read::x"`, `":read"`, `""`, `null`, `7`,
		`{"action":"chats:read"}`, `"chats:read\u001f"`, `"` + strings.Repeat("é", 256) + `"`, `"` + strings.Repeat("é", 257) + `"`},
}

var fieldKeys = []string{"user", "installation", "resource", "permission"}

// randomBody builds one raw body and says whether it repeats a key.
func randomBody(r *rand.Rand) (body string, dup bool) {
	switch r.IntN(40) {
	case 0:
		return `["alice"]`, false
	case 1:
		return `null`, false
	}
	var parts []string
	for _, k := range fieldKeys {
		if r.IntN(5) == 0 && k != "resource" && k != "permission" || k == "installation" && r.IntN(2) == 0 {
			continue
		}
		vs := fieldValues[k]
		v := vs[0]
		if r.IntN(3) == 0 {
			v = vs[r.IntN(len(vs))]
		} else if k == "user" {
			v = vs[r.IntN(5)]
		}
		parts = append(parts, fmt.Sprintf("%q:%s", k, v))
	}
	switch r.IntN(12) {
	case 0:
		parts = append(parts, `"extra":1`)
	case 1:
		parts = append(parts, `"User":"root"`)
	case 2:
		if len(parts) > 0 {
			parts = append(parts, parts[r.IntN(len(parts))])
			dup = true
		}
	}
	r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return "{" + strings.Join(parts, ",") + "}", dup
}

func TestRawBodyDifferential(t *testing.T) {
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	seed := rand.Uint64()
	t.Logf("seed %d (GATEHOUSE_DIFF_SEED reruns it)", seed)
	if s := os.Getenv("GATEHOUSE_DIFF_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	counts := map[int]int{}
	n := diffCaseCount(t)
	for i := range n {
		body, dup := randomBody(r)
		status := compareEndpoints(t, g, body, dup)
		counts[status]++
		if t.Failed() {
			t.Fatalf("body %d of %d: %s", i, n, body)
		}
	}
	t.Logf("%d bodies: %d answered, %d refused as invalid (422), %d as malformed (400)", n, counts[200], counts[422], counts[400])
	if counts[200] == 0 || counts[422] == 0 || counts[400] == 0 {
		t.Errorf("the generator must reach every outcome: %v", counts)
	}
}

// compareEndpoints sends body to the three endpoints and checks they agree.
func compareEndpoints(t *testing.T, g *testkit.Gate, body string, dup bool) int {
	t.Helper()
	code, raw := g.Do(http.MethodPost, "/v1/authorize", []byte(body))
	dcode, draw := g.Do(http.MethodPost, "/v1/data/gatehouse/authz/decision", []byte(`{"input":`+body+`}`))
	bcode, braw := g.Do(http.MethodPost, "/v1/authorize/batch", []byte(`{"checks":[`+body+`]}`))
	if dup {
		if code != 400 || dcode != 400 || bcode != 400 {
			t.Errorf("repeated key: authorize %d, data %d, batch %d; want 400 from each", code, dcode, bcode)
		}
		return code
	}
	if dcode != http.StatusOK {
		t.Errorf("data API: %d %s", dcode, draw)
		return code
	}
	var rego struct {
		Result engine.Decision `json:"result"`
	}
	mustDecode(t, draw, &rego)
	switch code {
	case http.StatusOK:
		var native engine.Decision
		mustDecode(t, raw, &native)
		if diff := cmp.Diff(rego.Result, native, testkit.SameAnswer); diff != "" {
			t.Errorf("native and Rego differ (-rego +native):\n%s", diff)
		}
		if bcode != http.StatusOK || !bytes.Contains(braw, []byte(`"allowed":`+strconv.FormatBool(native.Allowed))) {
			t.Errorf("batch: %d %s, want 200 with the same answer", bcode, braw)
		}
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		if d := rego.Result.DeniedBy; d == nil || *d != "invalid_input" {
			t.Errorf("authorize %d %s; Rego answers %+v, want invalid_input", code, raw, rego.Result)
		}
		if bcode != http.StatusUnprocessableEntity {
			t.Errorf("batch: %d %s, want 422", bcode, braw)
		}
	default:
		t.Errorf("authorize: %d %s", code, raw)
	}
	return code
}

func mustDecode(t *testing.T, raw []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}
