package decisions

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// decisionInputs are decision inputs over the demo data, covering every way a
// decision goes: allowed, and denied by each side.
var decisionInputs = []struct {
	name    string
	input   map[string]any
	allowed bool
}{
	{"user allowed by record", map[string]any{"user": "alice", "resource": "accounts/acme/chats/general", "permission": "chats:read"}, true},
	{"user allowed by wildcard", map[string]any{"user": "dan", "resource": "accounts/other/chats/x", "permission": "chats:read"}, true},
	{"user allowed by membership", map[string]any{"user": "carol", "resource": "customers/acme/projects/p1/files/f", "permission": "files:read"}, true},
	{"user denied", map[string]any{"user": "bob", "resource": "accounts/acme", "permission": "chats:read"}, false},
	{"unknown user", map[string]any{"user": "mallory", "resource": "accounts/acme", "permission": "chats:read"}, false},
	{"through extension allowed", map[string]any{"user": "alice", "installation": "summarizer-acme", "resource": "accounts/acme/chats/general", "permission": "chats:read"}, true},
	{"through extension, no consent", map[string]any{"user": "alice", "installation": "summarizer-acme", "resource": "accounts/acme/chats/general", "permission": "chats:write"}, false},
	{"through extension, out of scope", map[string]any{"user": "alice", "installation": "summarizer-acme", "resource": "accounts/other", "permission": "chats:read"}, false},
	{"through disabled extension", map[string]any{"user": "alice", "installation": "summarizer-paused", "resource": "accounts/acme/chats/general", "permission": "chats:read"}, false},
	{"extension as itself", map[string]any{"installation": "summarizer-acme", "resource": "accounts/acme/chats/1", "permission": "chats:read"}, true},
	{"extension as itself, denied", map[string]any{"installation": "summarizer-acme", "resource": "accounts/acme/chats/1", "permission": "chats:delete"}, false},
}

// dataResult is a Data API answer; the keys present matter, so they stay raw.
type dataResult map[string]json.RawMessage

func (r dataResult) decisionID(t *testing.T) string {
	t.Helper()
	var id string
	if err := json.Unmarshal(r["decision_id"], &id); err != nil || id == "" {
		t.Fatalf("no decision_id in %v (%v)", r, err)
	}
	return id
}

func postData(t *testing.T, g *testkit.Gate, path string, input any) dataResult {
	t.Helper()
	var out dataResult
	g.JSON(http.MethodPost, path, map[string]any{"input": input}, http.StatusOK, &out)
	return out
}

func getData(t *testing.T, g *testkit.Gate, path string, input any) dataResult {
	t.Helper()
	if input != nil {
		raw, err := json.Marshal(input)
		if err != nil {
			t.Fatal(err)
		}
		path += "?input=" + url.QueryEscape(string(raw))
	}
	var out dataResult
	g.JSON(http.MethodGet, path, nil, http.StatusOK, &out)
	return out
}

func unmarshalRaw(t *testing.T, raw json.RawMessage, out any) {
	t.Helper()
	if raw == nil {
		t.Fatal("missing value")
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

func keysOf(r dataResult) []string {
	var keys []string
	for k := range r {
		keys = append(keys, k)
	}
	return keys
}

func TestDataAPI(t *testing.T) {
	snap := testkit.DemoSnapshot(t)
	g := testkit.Start(t, snap)

	t.Run("allow", func(t *testing.T) {
		ids := map[string]bool{}
		for _, c := range decisionInputs {
			for method, res := range map[string]dataResult{
				"POST": postData(t, g, "/v1/data/gatehouse/authz/allow", c.input),
				"GET":  getData(t, g, "/v1/data/gatehouse/authz/allow", c.input),
			} {
				var got bool
				unmarshalRaw(t, res["result"], &got)
				if got != c.allowed {
					t.Errorf("%s %s: result %v, want %v", method, c.name, got, c.allowed)
				}
				if diff := cmp.Diff([]string{"decision_id", "result"}, keysOf(res), sortedStrings); diff != "" {
					t.Errorf("%s %s: keys (-want +got):\n%s", method, c.name, diff)
				}
				id := res.decisionID(t)
				if ids[id] {
					t.Errorf("decision_id %s repeated", id)
				}
				ids[id] = true
			}
		}
	})

	t.Run("decision equals /v1/authorize", func(t *testing.T) {
		for _, c := range decisionInputs {
			t.Run(c.name, func(t *testing.T) {
				want, err := g.Client().Authorize(t.Context(), inputOf(t, c.input))
				if err != nil {
					t.Fatal(err)
				}
				if want.Allowed != c.allowed {
					t.Fatalf("/v1/authorize allowed=%v, want %v", want.Allowed, c.allowed)
				}
				for method, res := range map[string]dataResult{
					"POST": postData(t, g, "/v1/data/gatehouse/authz/decision", c.input),
					"GET":  getData(t, g, "/v1/data/gatehouse/authz/decision", c.input),
				} {
					var fields map[string]json.RawMessage
					unmarshalRaw(t, res["result"], &fields)
					if diff := cmp.Diff([]string{"allowed", "denied_by", "reasons"}, keysOf(fields), sortedStrings); diff != "" {
						t.Errorf("%s: result keys (-want +got):\n%s", method, diff)
					}
					var got engine.Decision
					unmarshalRaw(t, res["result"], &got)
					if diff := cmp.Diff(want, got, testkit.SameAnswer); diff != "" {
						t.Errorf("%s: data API decision differs from /v1/authorize (-authorize +data):\n%s", method, diff)
					}
					res.decisionID(t)
				}
			})
		}
	})

	t.Run("malformed subject is a deny, not a widening", func(t *testing.T) {
		// /v1/authorize refuses these; the Data API, like OPA, evaluates them and must deny.
		for _, in := range []map[string]any{
			{"user": "", "installation": "summarizer-acme", "resource": "accounts/acme/chats/1", "permission": "chats:read"},
			{"user": 42, "installation": "summarizer-acme", "resource": "accounts/acme/chats/1", "permission": "chats:read"},
			{"user": "alice", "resource": "accounts//acme", "permission": "chats:read"},
		} {
			var got engine.Decision
			unmarshalRaw(t, postData(t, g, "/v1/data/gatehouse/authz/decision", in)["result"], &got)
			if got.Allowed || got.DeniedBy == nil || *got.DeniedBy != "invalid_input" {
				t.Errorf("input %v: %+v, want denied by invalid_input", in, got)
			}
			var allow bool
			unmarshalRaw(t, postData(t, g, "/v1/data/gatehouse/authz/allow", in)["result"], &allow)
			if allow {
				t.Errorf("input %v: allow is true", in)
			}
		}
	})

	t.Run("no input", func(t *testing.T) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			var res dataResult
			g.JSON(method, "/v1/data/gatehouse/authz/allow", nil, http.StatusOK, &res)
			var got bool
			unmarshalRaw(t, res["result"], &got)
			if got {
				t.Errorf("%s without input: allow is true", method)
			}
		}
	})

	t.Run("undefined", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{
			{http.MethodPost, "/v1/data/gatehouse/authz/nothing"},
			{http.MethodGet, "/v1/data/gatehouse/authz/nothing"},
			{http.MethodPost, "/v1/data/no/such/package"},
			{http.MethodGet, "/v1/data/gatehouse/index/roles/no-such-role"},
		} {
			var body any = map[string]any{"input": decisionInputs[0].input}
			if c.method == http.MethodGet {
				body = nil
			}
			code, raw := g.Do(c.method, c.path, body)
			if code != http.StatusOK {
				t.Errorf("%s %s: status %d, want 200; body %s", c.method, c.path, code, raw)
				continue
			}
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("%s %s: %s: %v", c.method, c.path, raw, err)
			}
			if diff := cmp.Diff(map[string]any{}, got); diff != "" {
				t.Errorf("%s %s: want {} (-want +got):\n%s", c.method, c.path, diff)
			}
		}
	})

	t.Run("metrics", func(t *testing.T) {
		res := postData(t, g, "/v1/data/gatehouse/authz/allow?metrics", decisionInputs[0].input)
		var m map[string]any
		unmarshalRaw(t, res["metrics"], &m)
		if _, ok := m["timer_rego_query_eval_ns"]; !ok {
			t.Errorf("metrics %v lack timer_rego_query_eval_ns", m)
		}
		var got bool
		unmarshalRaw(t, res["result"], &got)
		if !got {
			t.Error("result changed with ?metrics")
		}
		if plain := postData(t, g, "/v1/data/gatehouse/authz/allow", decisionInputs[0].input); plain["metrics"] != nil {
			t.Errorf("metrics without ?metrics: %s", plain["metrics"])
		}
	})

	t.Run("explain", func(t *testing.T) {
		for _, mode := range []string{"notes", "full"} {
			res := postData(t, g, "/v1/data/gatehouse/authz/allow?explain="+mode, decisionInputs[0].input)
			var lines []string
			unmarshalRaw(t, res["explanation"], &lines)
			if mode == "full" && len(lines) < 2 {
				t.Errorf("explain=full: %d lines, want a trace", len(lines))
			}
			var got bool
			unmarshalRaw(t, res["result"], &got)
			if !got {
				t.Errorf("explain=%s: result changed", mode)
			}
		}
		if plain := postData(t, g, "/v1/data/gatehouse/authz/allow", decisionInputs[0].input); plain["explanation"] != nil {
			t.Errorf("explanation without ?explain: %s", plain["explanation"])
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		okInput, _ := json.Marshal(decisionInputs[0].input)
		for _, c := range []testkit.Case{
			{Name: "explain bogus", Method: http.MethodPost, Path: "/v1/data/gatehouse/authz/allow?explain=bogus", Body: `{"input":` + string(okInput) + `}`, Status: 400, Code: "malformed_request"},
			{Name: "explain bogus GET", Method: http.MethodGet, Path: "/v1/data/gatehouse/authz/allow?explain=bogus", Status: 400, Code: "malformed_request"},
			{Name: "truncated input", Method: http.MethodPost, Path: "/v1/data/gatehouse/authz/allow", Body: `{"input":{"user":"alice"`, Status: 400, Code: "malformed_request"},
			{Name: "not JSON", Method: http.MethodPost, Path: "/v1/data/gatehouse/authz/allow", Body: `input=alice`, Status: 400, Code: "malformed_request"},
			{Name: "trailing data", Method: http.MethodPost, Path: "/v1/data/gatehouse/authz/allow", Body: `{"input":` + string(okInput) + `} x`, Status: 400, Code: "malformed_request"},
			{Name: "GET truncated input", Method: http.MethodGet, Path: "/v1/data/gatehouse/authz/allow?input=" + url.QueryEscape(`{"user":"alice"`), Status: 400, Code: "malformed_request"},
			{Name: "GET input not JSON", Method: http.MethodGet, Path: "/v1/data/gatehouse/authz/allow?input=alice", Status: 400, Code: "malformed_request"},
			{Name: "GET input with trailing data", Method: http.MethodGet, Path: "/v1/data/gatehouse/authz/allow?input=" + url.QueryEscape(string(okInput)+" x"), Status: 400, Code: "malformed_request"},
			{Name: "trailing brace", Method: http.MethodPost, Path: "/v1/data/gatehouse/authz/allow", Body: `{"input":` + string(okInput) + `}}`, Status: 400, Code: "malformed_request"},
		} {
			t.Run(c.Name, func(t *testing.T) {
				if c.Bug != "" {
					t.Skip("BUG: " + c.Bug)
				}
				code, raw := g.Do(c.Method, c.Path, c.Body)
				c.Verify(t, code, raw)
			})
		}
	})

	t.Run("roles document", func(t *testing.T) {
		res := getData(t, g, "/v1/data/gatehouse/index/roles", nil)
		var got map[string]any
		unmarshalRaw(t, res["result"], &got)
		raw, err := json.Marshal(engine.BuildIndex(snap)["roles"])
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("roles document (-want +got):\n%s", diff)
		}
		var ids []string
		for _, r := range snap.Roles {
			ids = append(ids, r.ID)
		}
		var gotIDs []string
		for id := range got {
			gotIDs = append(gotIDs, id)
		}
		if diff := cmp.Diff(ids, gotIDs, sortedStrings); diff != "" {
			t.Errorf("role ids (-demo +served):\n%s", diff)
		}
		if retired, _ := got["retired"].(map[string]any); retired["active"] != false {
			t.Errorf("retired role served as %v, want active false", got["retired"])
		}
		// A single role, by path.
		var reader map[string]any
		unmarshalRaw(t, getData(t, g, "/v1/data/gatehouse/index/roles/chat-reader", nil)["result"], &reader)
		if diff := cmp.Diff(want["chat-reader"], any(reader)); diff != "" {
			t.Errorf("roles/chat-reader (-want +got):\n%s", diff)
		}
	})

	t.Run("health, ready and status", func(t *testing.T) {
		var health map[string]any
		g.JSON(http.MethodGet, "/health", nil, http.StatusOK, &health)
		if health["status"] != "ok" {
			t.Errorf("/health: %v", health)
		}
		c := g.Client()
		ready, err := c.Ready(t.Context())
		if err != nil || ready.Status != "ready" || ready.Revision == 0 {
			t.Errorf("/ready: %+v, %v; want ready at a revision", ready, err)
		}
		status, err := c.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !status.Ready || status.Revision != ready.Revision {
			t.Errorf("/v1/status: ready=%v revision %d, want ready at revision %d", status.Ready, status.Revision, ready.Revision)
		}
		want := map[string]int{
			"roles": 4, "records": 4, "groups": 1, "memberships": 1,
			"extensions": 1, "installations": 2, "tenants": 2, "apps": 2, "onboardings": 0, "policies": 0,
		}
		if diff := cmp.Diff(snap.Counts(), want, zeroIsAbsent); diff != "" {
			t.Fatalf("test bug: demo data counts changed (-demo +want):\n%s", diff)
		}
		if diff := cmp.Diff(want, status.Documents, zeroIsAbsent); diff != "" {
			t.Errorf("documents per collection (-demo +status):\n%s", diff)
		}
		for c, n := range status.Skipped {
			if n != 0 {
				t.Errorf("%d %s skipped from the demo data", n, c)
			}
		}
	})
}

// sortedStrings compares string slices regardless of order.
var sortedStrings = cmp.Transformer("sorted", func(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
})

// zeroIsAbsent treats a collection counted 0 and one left out alike.
var zeroIsAbsent = cmp.Transformer("nonzero", func(in map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range in {
		if v != 0 {
			out[k] = v
		}
	}
	return out
})
