package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
)

// isDecision returns a render check: the body is exactly a decision (no
// other keys) equal to the engine's answer to in, with an id.
func isDecision(eng *engine.Engine, in engine.Input) func(*testing.T, []byte) {
	return func(t *testing.T, raw []byte) {
		t.Helper()
		var got engine.Decision
		decodeOnly(t, raw, &got)
		want, err := eng.Decide(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, sameAnswer); diff != "" {
			t.Errorf("decision (-engine +body):\n%s", diff)
		}
		if got.DecisionID == "" || got.Revision != eng.Revision() {
			t.Errorf("decision_id %q revision %d, want an id at revision %d", got.DecisionID, got.Revision, eng.Revision())
		}
		if !strings.Contains(string(raw), `"denied_by":`) || !strings.Contains(string(raw), `"reasons":`) {
			t.Errorf("denied_by and reasons must always be present: %s", raw)
		}
	}
}

func TestAuthorizeHandler(t *testing.T) {
	h, eng := handlerRouter(t, handlerSnapshot(), Config{})
	const path = "/v1/authorize"
	alice := engine.Input{User: "alice", Resource: "accounts/A/x", Permission: "read"}
	bob := engine.Input{User: "bob", Resource: "accounts/A/x", Permission: "read"}
	ext := engine.Input{Installation: "i1", Resource: "accounts/A/x", Permission: "read:docs"}
	invalid := func(fields ...string) response {
		return response{status: 422, code: CodeInvalid, message: "the request is invalid", fields: fields}
	}
	malformedReq := response{status: 400, code: CodeMalformed}
	runRoutes(t, h, []routeCase{
		// Render: 200 and the engine's decision, allowed or not.
		{name: "allowed", method: "POST", path: path, body: `{"user":"alice","resource":"accounts/A/x","permission":"read"}`,
			want: response{status: 200}, render: isDecision(eng, alice)},
		{name: "denied is still 200", method: "POST", path: path, body: `{"user":"bob","resource":"accounts/A/x","permission":"read"}`,
			want: response{status: 200}, render: isDecision(eng, bob)},
		{name: "installation alone", method: "POST", path: path, body: `{"installation":"i1","resource":"accounts/A/x","permission":"read:docs"}`,
			want: response{status: 200}, render: isDecision(eng, ext)},
		// Bind: malformed JSON, repeated keys and trailing data are 400.
		{name: "truncated", method: "POST", path: path, body: `{"user":"alice",`, want: malformedReq},
		{name: "empty body", method: "POST", path: path, want: malformedReq},
		{name: "not an object", method: "POST", path: path, body: `["alice"]`, want: malformedReq},
		{name: "duplicate key", method: "POST", path: path, body: `{"user":"bob","user":"alice","resource":"accounts/A","permission":"read"}`, want: malformedReq},
		{name: "trailing data", method: "POST", path: path, body: `{"user":"alice","resource":"accounts/A","permission":"read"} {}`, want: malformedReq},
		// Bind: null, a wrong type or an unknown field is 422, every field listed.
		{name: "null user", method: "POST", path: path, body: `{"user":null,"installation":"i1","resource":"accounts/A","permission":"read"}`, want: invalid("user")},
		{name: "wrong types", method: "POST", path: path, body: `{"user":1,"resource":["accounts"],"permission":true}`, want: invalid("permission", "resource", "user")},
		{name: "unknown field", method: "POST", path: path, body: `{"user":"alice","resource":"accounts/A","permission":"read","extra":"t"}`, want: invalid("extra")},
		// Validate: every problem with the question.
		{name: "empty object", method: "POST", path: path, body: `{}`, want: invalid("permission", "resource", "user")},
		{name: "blank user", method: "POST", path: path, body: `{"user":" ","resource":"accounts/A","permission":"read"}`, want: invalid("user")},
		{name: "empty installation", method: "POST", path: path, body: `{"user":"alice","installation":"","resource":"accounts/A","permission":"read"}`, want: invalid("installation")},
		{name: "bad resource and action", method: "POST", path: path, body: `{"user":"alice","resource":"a//b","permission":"read::x"}`, want: invalid("permission", "resource")},
		// Routing.
		{name: "GET", method: "GET", path: path, want: response{status: 405, code: "method_not_allowed"}},
	})
}

func TestAuthorizeBatchHandler(t *testing.T) {
	h, eng := handlerRouter(t, handlerSnapshot(), Config{MaxBatch: 3})
	const path = "/v1/authorize/batch"
	const alice, bob = `{"user":"alice","resource":"accounts/A/x","permission":"read"}`, `{"user":"bob","resource":"accounts/A/x","permission":"read"}`
	invalid := func(fields ...string) response {
		return response{status: 422, code: CodeInvalid, message: "the request is invalid", fields: fields}
	}
	malformedReq := response{status: 400, code: CodeMalformed}
	inOrder := func(t *testing.T, raw []byte) {
		t.Helper()
		var got BatchResponse
		decodeOnly(t, raw, &got)
		var want []engine.Decision
		for _, in := range []engine.Input{
			{User: "bob", Resource: "accounts/A/x", Permission: "read"},
			{User: "alice", Resource: "accounts/A/x", Permission: "read"},
			{User: "bob", Resource: "accounts/A/x", Permission: "read"},
		} {
			d, err := eng.Decide(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, d)
		}
		if diff := cmp.Diff(want, got.Results, sameAnswer); diff != "" {
			t.Errorf("results (-engine +body):\n%s", diff)
		}
	}
	runRoutes(t, h, []routeCase{
		{name: "one result per check, in order", method: "POST", path: path, body: `{"checks":[` + bob + `,` + alice + `,` + bob + `]}`,
			want: response{status: 200}, render: inOrder},
		{name: "malformed", method: "POST", path: path, body: `{"checks":[` + alice, want: malformedReq},
		{name: "duplicate key", method: "POST", path: path, body: `{"checks":[],"checks":[` + alice + `]}`, want: malformedReq},
		{name: "duplicate key in a check", method: "POST", path: path, body: `{"checks":[{"user":"bob","user":"alice","resource":"a","permission":"b"}]}`, want: malformedReq},
		{name: "null checks", method: "POST", path: path, body: `{"checks":null}`, want: invalid("checks")},
		{name: "checks not an array", method: "POST", path: path, body: `{"checks":` + alice + `}`, want: invalid("checks")},
		{name: "null check", method: "POST", path: path, body: `{"checks":[` + alice + `,null]}`, want: invalid("checks[1]")},
		{name: "unknown field in a check", method: "POST", path: path, body: `{"checks":[{"user":"alice","resource":"a","permission":"b","x":1}]}`, want: invalid("checks[0].x")},
		{name: "unknown top-level field", method: "POST", path: path, body: `{"checks":[` + alice + `],"limit":1}`, want: invalid("limit")},
		{name: "no checks", method: "POST", path: path, body: `{}`, want: invalid("checks")},
		{name: "empty checks", method: "POST", path: path, body: `{"checks":[]}`, want: invalid("checks")},
		{name: "every invalid check listed, the batch refused whole", method: "POST", path: path,
			body: `{"checks":[` + alice + `,{"user":"alice"},{"user":"","resource":"a//b","permission":"read"}]}`,
			want: invalid("checks[1].permission", "checks[1].resource", "checks[2].resource", "checks[2].user")},
		{name: "over the batch limit", method: "POST", path: path, body: `{"checks":[` + strings.Repeat(alice+",", 3) + alice + `]}`,
			want: response{status: 413, code: CodeBatchTooLarge, message: "4 checks in one batch; the limit is 3"}},
	})
}

func TestAuthorizeLimitsAndReadiness(t *testing.T) {
	small, _ := handlerRouter(t, handlerSnapshot(), Config{MaxBodyBytes: 64})
	notReady, _ := handlerRouter(t, nil, Config{})
	check := `{"user":"alice","resource":"accounts/A/x","permission":"read"}`
	padded := check + strings.Repeat(" ", 64-len(check))
	tests := []struct {
		name, body string
		h          http.Handler
		status     int
		code       string
	}{
		{"body at the limit", padded, small, 200, ""},
		{"body over the limit", padded + " ", small, 413, CodeTooLarge},
		{"engine not loaded", check, notReady, 503, CodeNotReady},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(tt.h, http.MethodPost, "/v1/authorize", tt.body)
			var body ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != tt.status || body.Code != tt.code {
				t.Errorf("status %d body %s, want %d %q", w.Code, w.Body, tt.status, tt.code)
			}
		})
	}
}

// isExplained returns a render check: the body is exactly a decision with
// an explanation, equal to the engine's answer to in, and holds want
// (wire JSON) verbatim.
func isExplained(eng *engine.Engine, in engine.Input, want ...string) func(*testing.T, []byte) {
	return func(t *testing.T, raw []byte) {
		t.Helper()
		var got Explained
		decodeOnly(t, raw, &got)
		d, x, err := eng.Explain(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(d, got.Decision, sameAnswer); diff != "" {
			t.Errorf("decision (-engine +body):\n%s", diff)
		}
		if diff := cmp.Diff(x, got.Explanation); diff != "" {
			t.Errorf("explanation (-engine +body):\n%s", diff)
		}
		if got.DecisionID == "" || !strings.Contains(string(raw), `"denied_by":`) {
			t.Errorf("the decision's fields must all be present: %s", raw)
		}
		for _, w := range want {
			if !strings.Contains(string(raw), w) {
				t.Errorf("body %s lacks %s", raw, w)
			}
		}
	}
}

func TestAuthorizeExplainHandler(t *testing.T) {
	h, eng := handlerRouter(t, handlerSnapshot(), Config{})
	const path = "/v1/authorize?explain="
	const alice = `{"user":"alice","resource":"accounts/A/x","permission":"read"}`
	invalid := func(fields ...string) response {
		return response{status: 422, code: CodeInvalid, message: "the request is invalid", fields: fields}
	}
	runRoutes(t, h, []routeCase{
		{name: "an allow and its path", method: "POST", path: path + "true", body: alice, want: response{status: 200},
			render: isExplained(eng, engine.Input{User: "alice", Resource: "accounts/A/x", Permission: "read"},
				`"allowed":true`, `"explanation":{"paths":[{"principal":"user","user":"alice","kind":"record","id":"r1","role":"admin","permission":"*","resource":"accounts/A"}],"near_misses":[]}`)},
		{name: "a deny and its near misses", method: "POST", path: path + "true", body: `{"user":"alice","resource":"accounts/B/x","permission":"read"}`,
			want: response{status: 200}, render: isExplained(eng, engine.Input{User: "alice", Resource: "accounts/B/x", Permission: "read"},
				`"allowed":false`, `"paths":[]`, `{"reason":"resource","message":"holds * on accounts/A, which does not cover accounts/B/x","principal":"user","user":"alice","kind":"record","id":"r1","role":"admin","permission":"*","resource":"accounts/A"}`)},
		{name: "through an installation", method: "POST", path: path + "true", body: `{"user":"alice","installation":"i1","resource":"accounts/A/x","permission":"read:x"}`,
			want: response{status: 200}, render: isExplained(eng, engine.Input{User: "alice", Installation: "i1", Resource: "accounts/A/x", Permission: "read:x"},
				`"installation":"i1","kind":"record"`, `"extension":{"installation":"i1","extension":"ext","status":"ACTIVE","scope":[{"resource":"accounts/A","covers":true}]`,
				`"covers":{"user":true,"status":true,"scope":true,"consent":true,"requested":true}`)},
		{name: "explain=false is the plain decision", method: "POST", path: path + "false", body: alice, want: response{status: 200},
			render: isDecision(eng, engine.Input{User: "alice", Resource: "accounts/A/x", Permission: "read"})},
		{name: "another value", method: "POST", path: path + "yes", body: alice, want: invalid("explain")},
		{name: "upper case", method: "POST", path: path + "TRUE", body: alice, want: invalid("explain")},
		{name: "empty", method: "POST", path: path, body: alice, want: invalid("explain")},
		{name: "given twice", method: "POST", path: path + "true&explain=true", body: alice, want: invalid("explain")},
		{name: "listed with the body's problems", method: "POST", path: path + "1", body: `{"user":"alice","extra":1}`, want: invalid("explain", "extra")},
		{name: "listed with the question's problems", method: "POST", path: path + "1", body: `{}`, want: invalid("explain", "permission", "resource", "user")},
		{name: "a malformed body is still 400", method: "POST", path: path + "1", body: `{"user":`, want: response{status: 400, code: CodeMalformed}},
	})
}

func TestAuthorizeExplainNotReady(t *testing.T) {
	h, _ := handlerRouter(t, nil, Config{})
	w := serve(h, http.MethodPost, "/v1/authorize?explain=true", `{"user":"alice","resource":"accounts/A","permission":"read"}`)
	var body ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 503 || body.Code != CodeNotReady {
		t.Errorf("status %d body %s, want 503 %q", w.Code, w.Body, CodeNotReady)
	}
}
