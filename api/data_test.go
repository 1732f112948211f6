package api

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dataBody returns a render check: the body has exactly keys, and its
// result (when it has one) is want.
func dataBody(want any, keys ...string) func(*testing.T, []byte) {
	return func(t *testing.T, raw []byte) {
		t.Helper()
		var body map[string]json.RawMessage
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatal(err)
		}
		var got []string
		for k := range body {
			got = append(got, k)
		}
		slices.Sort(got)
		slices.Sort(keys)
		if diff := cmp.Diff(keys, got); diff != "" {
			t.Fatalf("keys (-want +got):\n%s\nbody %s", diff, raw)
		}
		if raw, ok := body["result"]; ok {
			var result any
			if err := json.Unmarshal(raw, &result); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, result); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		}
		if raw, ok := body["decision_id"]; ok {
			var id string
			if json.Unmarshal(raw, &id) != nil || id == "" {
				t.Errorf("decision_id %s, want a string id", raw)
			}
		}
	}
}

func TestDataHandler(t *testing.T) {
	h, _ := handlerRouter(t, handlerSnapshot(), Config{})
	const allow = "/v1/data/gatehouse/authz/allow"
	in := `{"user":"alice","resource":"accounts/A/x","permission":"read"}`
	get := func(path, input string) string { return path + "?input=" + url.QueryEscape(input) }
	malformedReq := response{status: 400, code: CodeMalformed}
	runRoutes(t, h, []routeCase{
		// Render: {result, decision_id} when defined, {} when not.
		{name: "POST input", method: "POST", path: allow, body: `{"input":` + in + `}`, want: response{status: 200},
			render: dataBody(true, "decision_id", "result")},
		{name: "GET input", method: "GET", path: get(allow, in), want: response{status: 200},
			render: dataBody(true, "decision_id", "result")},
		{name: "denied", method: "POST", path: allow, body: `{"input":{"user":"bob","resource":"accounts/A/x","permission":"read"}}`,
			want: response{status: 200}, render: dataBody(false, "decision_id", "result")},
		{name: "no body", method: "POST", path: allow, want: response{status: 200}, render: dataBody(false, "decision_id", "result")},
		{name: "no input", method: "POST", path: allow, body: `{}`, want: response{status: 200}, render: dataBody(false, "decision_id", "result")},
		{name: "undefined document", method: "POST", path: "/v1/data/no/such/rule", body: `{"input":{}}`, want: response{status: 200},
			render: dataBody(nil)},
		{name: "metrics", method: "POST", path: allow + "?metrics", body: `{"input":` + in + `}`, want: response{status: 200},
			render: dataBody(true, "decision_id", "metrics", "result")},
		{name: "explain full", method: "POST", path: allow + "?explain=full", body: `{"input":` + in + `}`, want: response{status: 200},
			render: dataBody(true, "decision_id", "explanation", "result")},
		// Bind: malformed bodies and inputs are 400, unknown fields 422.
		{name: "malformed body", method: "POST", path: allow, body: `{"input":{"user":"alice"`, want: malformedReq},
		{name: "duplicate key", method: "POST", path: allow, body: `{"input":{},"input":` + in + `}`, want: malformedReq},
		{name: "duplicate key in the input", method: "POST", path: allow, body: `{"input":{"user":"bob","user":"alice"}}`, want: malformedReq},
		{name: "trailing data", method: "POST", path: allow, body: `{"input":` + in + `} x`, want: malformedReq},
		{name: "unknown field", method: "POST", path: allow, body: `{"inputs":` + in + `}`,
			want: response{status: 422, code: CodeInvalid, message: "the request is invalid", fields: []string{"inputs"}}},
		{name: "GET input not JSON", method: "GET", path: get(allow, "alice"), want: malformedReq},
		{name: "GET input with a repeated key", method: "GET", path: get(allow, `{"user":"bob","user":"alice"}`), want: malformedReq},
		// Validate: explain is off, notes or full.
		{name: "explain bogus", method: "POST", path: allow + "?explain=bogus", body: `{"input":` + in + `}`,
			want: response{status: 400, code: CodeMalformed, message: "explain must be notes or full"}},
		{name: "empty path segment", method: "POST", path: "/v1/data/gatehouse//authz", want: response{status: 422, code: CodeInvalid, fields: []string{"query"}}},
		{name: "DELETE", method: "DELETE", path: allow, want: response{status: 405, code: "method_not_allowed"}},
	})
}

func TestDataHandlerBeforeLoad(t *testing.T) {
	h, _ := handlerRouter(t, nil, Config{})
	runRoutes(t, h, []routeCase{
		{name: "POST", method: "POST", path: "/v1/data/gatehouse/authz/allow", body: `{"input":{}}`,
			want: response{status: 503, code: CodeNotReady, message: "data is not loaded yet"}},
		{name: "GET", method: "GET", path: "/v1/data", want: response{status: 503, code: CodeNotReady}},
	})
}
