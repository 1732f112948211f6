package authzen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/api/authzen"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// testError stands in for the api package's error: it renders as the
// one error body with its status.
type testError struct {
	status int
	body   api.ErrorBody
}

func (e *testError) Error() string { return e.body.Code }

// fake is a decider that allows what allow lists ("permission@resource")
// and records every input it was asked.
type fake struct {
	allow map[string]bool
	asked []engine.Input
}

func (f *fake) decide(_ context.Context, in engine.Input) (engine.Decision, error) {
	f.asked = append(f.asked, in)
	if f.allow[in.Permission+"@"+in.Resource] {
		return engine.Decision{Allowed: true, DecisionID: "d1", Revision: 7, Reasons: []engine.Reason{{Kind: "record", ID: "r1", Role: "viewer", Resource: in.Resource}}}, nil
	}
	user := "user"
	return engine.Decision{DecisionID: "d1", Revision: 7, DeniedBy: &user}, nil
}

func router(f *fake, maxBatch int) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	authzen.Register(r, func(c *gin.Context) { c.Next() }, authzen.Deps{
		Decide:   f.decide,
		MaxBatch: maxBatch,
		Search:   f.searches(),
		Error: func(status int, code, msg string, ps ...model.Problem) error {
			return &testError{status: status, body: api.ErrorBody{Code: code, Message: msg, Errors: ps}}
		},
		Fail: func(c *gin.Context, err error) {
			e, ok := err.(*testError)
			if !ok {
				e = &testError{status: http.StatusInternalServerError, body: api.ErrorBody{Code: api.CodeInternal}}
			}
			c.AbortWithStatusJSON(e.status, e.body)
		},
	})
	return r
}

func post(t *testing.T, h http.Handler, path, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestCodesAreTheAPIs(t *testing.T) {
	got := []string{authzen.CodeMalformed, authzen.CodeInvalid, authzen.CodeBatchTooLarge}
	want := []string{api.CodeMalformed, api.CodeInvalid, api.CodeBatchTooLarge}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("codes (-api +authzen):\n%s", diff)
	}
}

func TestInput(t *testing.T) {
	user := &authzen.Subject{Type: "user", ID: "ann"}
	read := &authzen.Action{Name: "chats:read"}
	chat := &authzen.Resource{Type: "accounts/acme/chats", ID: "1"}
	tests := []struct {
		name   string
		e      authzen.Evaluation
		want   engine.Input
		fields []string // the problems' fields; none means valid
	}{
		{"user", authzen.Evaluation{Subject: user, Action: read, Resource: chat},
			engine.Input{User: "ann", Resource: "accounts/acme/chats/1", Permission: "chats:read"}, nil},
		{"user through an installation", authzen.Evaluation{Subject: &authzen.Subject{Type: "user", ID: "ann", Properties: map[string]any{"installation": "i1", "department": "Sales"}}, Action: read, Resource: chat},
			engine.Input{User: "ann", Installation: "i1", Resource: "accounts/acme/chats/1", Permission: "chats:read"}, nil},
		{"installation", authzen.Evaluation{Subject: &authzen.Subject{Type: "installation", ID: "i1"}, Action: read, Resource: chat},
			engine.Input{Installation: "i1", Resource: "accounts/acme/chats/1", Permission: "chats:read"}, nil},
		{"record type and id", authzen.Evaluation{Subject: user, Action: read, Resource: &authzen.Resource{Type: "record", ID: "101"}},
			engine.Input{User: "ann", Resource: "record/101", Permission: "chats:read"}, nil},
		{"properties.uri wins", authzen.Evaluation{Subject: user, Action: read, Resource: &authzen.Resource{Type: "chat", ID: "1", Properties: map[string]any{"uri": "accounts/acme/chats/1"}}},
			engine.Input{User: "ann", Resource: "accounts/acme/chats/1", Permission: "chats:read"}, nil},
		{"context is not read", authzen.Evaluation{Subject: user, Action: read, Resource: chat, Context: map[string]any{"time": "now"}},
			engine.Input{User: "ann", Resource: "accounts/acme/chats/1", Permission: "chats:read"}, nil},
		{"all missing", authzen.Evaluation{}, engine.Input{}, []string{"subject", "resource", "action"}},
		{"blank fields", authzen.Evaluation{Subject: &authzen.Subject{}, Action: &authzen.Action{}, Resource: &authzen.Resource{}},
			engine.Input{}, []string{"subject.id", "subject.type", "resource.type", "resource.id", "action.name"}},
		{"unknown subject type", authzen.Evaluation{Subject: &authzen.Subject{Type: "group", ID: "g"}, Action: read, Resource: chat}, engine.Input{}, []string{"subject.type"}},
		{"app in a tenant", authzen.Evaluation{Subject: &authzen.Subject{Type: "app", ID: "platform:a"}, Action: read, Resource: chat, Context: map[string]any{"tenant": "t1"}},
			engine.Input{App: "platform:a", Tenant: "t1", Resource: "accounts/acme/chats/1", Permission: "chats:read"}, nil},
		{"app without a tenant", authzen.Evaluation{Subject: &authzen.Subject{Type: "app", ID: "platform:a"}, Action: read, Resource: chat}, engine.Input{}, []string{"context.tenant"}},
		{"app id not namespace:name", authzen.Evaluation{Subject: &authzen.Subject{Type: "app", ID: "a"}, Action: read, Resource: chat, Context: map[string]any{"tenant": "t1"}}, engine.Input{}, []string{"subject.id"}},
		{"installation property not a string", authzen.Evaluation{Subject: &authzen.Subject{Type: "user", ID: "ann", Properties: map[string]any{"installation": 3.0}}, Action: read, Resource: chat},
			engine.Input{}, []string{"subject.properties.installation"}},
		{"uri property not a string", authzen.Evaluation{Subject: user, Action: read, Resource: &authzen.Resource{Type: "chat", ID: "1", Properties: map[string]any{"uri": true}}},
			engine.Input{}, []string{"resource.properties.uri"}},
		{"engine checks named by AuthZEN field", authzen.Evaluation{Subject: user, Action: &authzen.Action{Name: "a::b"}, Resource: &authzen.Resource{Type: "x", ID: "1", Properties: map[string]any{"uri": "a//b"}}},
			engine.Input{}, []string{"resource.properties.uri", "action.name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, problems := authzen.Input(tt.e)
			var fields []string
			for _, p := range problems {
				fields = append(fields, p.Field)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Fatalf("problem fields (-want +got):\n%s\n%v", diff, problems)
			}
			if tt.fields == nil {
				if diff := cmp.Diff(tt.want, in); diff != "" {
					t.Errorf("input (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// body decodes a response's JSON into a generic value for comparison.
func body(t *testing.T, w *httptest.ResponseRecorder) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return v
}

func TestEvaluation(t *testing.T) {
	f := &fake{allow: map[string]bool{"read@record/101": true}}
	h := router(f, 10)
	const ann = `"subject":{"type":"user","id":"ann"}`
	tests := []struct {
		name   string
		body   string
		status int
		want   string // the body's JSON; for errors only code and fields are compared
	}{
		{"allow", `{` + ann + `,"action":{"name":"read"},"resource":{"type":"record","id":"101"}}`, 200,
			`{"decision":true,"context":{"decision_id":"d1","revision":7,"reasons":[{"kind":"record","id":"r1","role":"viewer","resource":"record/101"}]}}`},
		{"deny", `{` + ann + `,"action":{"name":"write"},"resource":{"type":"record","id":"101"}}`, 200,
			`{"decision":false,"context":{"decision_id":"d1","revision":7,"denied_by":"user"}}`},
		{"unknown fields and properties are ignored", `{` + ann + `,"action":{"name":"read","properties":{"method":"GET"}},"resource":{"type":"record","id":"101","properties":{"status":"active","x":null}},"context":{"time":"t"},"foo":"bar","futureField":{"nested":true}}`, 200,
			`{"decision":true,"context":{"decision_id":"d1","revision":7,"reasons":[{"kind":"record","id":"r1","role":"viewer","resource":"record/101"}]}}`},
		{"missing subject", `{"action":{"name":"read"},"resource":{"type":"record","id":"101"}}`, 400, `{"code":"invalid_input","errors":["subject"]}`},
		{"missing sub-fields", `{"subject":{"id":"ann"},"action":{},"resource":{"type":"record"}}`, 400, `{"code":"invalid_input","errors":["subject.type","resource.id","action.name"]}`},
		{"wrong types", `{"subject":"ann","action":{"name":123},"resource":{"type":"record","id":"101"}}`, 400, `{"code":"invalid_input","errors":["subject","action.name"]}`},
		{"null", `{` + ann + `,"action":{"name":"read"},"resource":null}`, 400, `{"code":"invalid_input","errors":["resource"]}`},
		{"properties not an object", `{` + ann + `,"action":{"name":"read","properties":[]},"resource":{"type":"record","id":"101"}}`, 400, `{"code":"invalid_input","errors":["action.properties"]}`},
		{"duplicate key", `{` + ann + `,` + ann + `,"action":{"name":"read"},"resource":{"type":"record","id":"101"}}`, 400, `{"code":"malformed_request"}`},
		{"malformed", `{"subject":`, 400, `{"code":"malformed_request"}`},
		{"empty", ``, 400, `{"code":"malformed_request"}`},
		{"not an object", `[]`, 400, `{"code":"malformed_request"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(t, h, authzen.PathEvaluation, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			var want any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			got := body(t, w)
			if tt.status != 200 {
				got = errorSummary(got)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

// errorSummary keeps an error body's code and its problems' fields.
func errorSummary(v any) any {
	m := v.(map[string]any)
	out := map[string]any{"code": m["code"]}
	if list, ok := m["errors"].([]any); ok {
		var fields []any
		for _, p := range list {
			fields = append(fields, p.(map[string]any)["field"])
		}
		out["errors"] = fields
	}
	return out
}

func TestTransport(t *testing.T) {
	h := router(&fake{}, 10)
	valid := `{"subject":{"type":"user","id":"ann"},"action":{"name":"read"},"resource":{"type":"record","id":"101"}}`

	req := httptest.NewRequest(http.MethodPost, authzen.PathEvaluation, bytes.NewBufferString(valid))
	req.Header.Set("Content-Type", "text/plain")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest {
		t.Errorf("text/plain: status %d, want 400", w.Code)
	}

	w = post(t, h, authzen.PathEvaluation, valid, "Content-Type", "application/json; charset=utf-8", authzen.HeaderRequestID, "req-1")
	if w.Code != http.StatusOK || w.Header().Get(authzen.HeaderRequestID) != "req-1" {
		t.Errorf("status %d, X-Request-ID %q; want 200 and the request's id", w.Code, w.Header().Get(authzen.HeaderRequestID))
	}
	w = post(t, h, authzen.PathEvaluations, `{}`, authzen.HeaderRequestID, "req-2")
	if w.Code != http.StatusBadRequest || w.Header().Get(authzen.HeaderRequestID) != "req-2" {
		t.Errorf("an error: status %d, X-Request-ID %q; want 400 and the request's id", w.Code, w.Header().Get(authzen.HeaderRequestID))
	}
}

func TestMetadata(t *testing.T) {
	h := router(&fake{}, 10)
	for _, tt := range []struct{ proto, want string }{{"", "http://pdp.example.com"}, {"https", "https://pdp.example.com"}} {
		req := httptest.NewRequest(http.MethodGet, authzen.PathMetadata, nil)
		req.Host = "pdp.example.com"
		if tt.proto != "" {
			req.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
			t.Fatalf("status %d, body %s: %v", w.Code, w.Body, err)
		}
		want := map[string]any{
			"policy_decision_point":       tt.want,
			"access_evaluation_endpoint":  tt.want + "/access/v1/evaluation",
			"access_evaluations_endpoint": tt.want + "/access/v1/evaluations",
			"search_subject_endpoint":     tt.want + "/access/v1/search/subject",
			"search_resource_endpoint":    tt.want + "/access/v1/search/resource",
			"search_action_endpoint":      tt.want + "/access/v1/search/action",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("metadata (-want +got):\n%s", diff)
		}
	}
}

func TestEvaluations(t *testing.T) {
	allow := map[string]bool{"read@record/1": true, "read@record/3": true, "write@doc/9": true}
	type asked struct{ User, Installation, Resource, Permission string }
	tests := []struct {
		name  string
		body  string
		want  []bool      // the decisions, in order
		asked []asked     // the questions the engine was asked, in order
		error map[int]int // entry → status of its error
	}{
		{"defaults fill every entry", `{"subject":{"type":"user","id":"ann"},"action":{"name":"read"},
			"evaluations":[{"resource":{"type":"record","id":"1"}},{"resource":{"type":"record","id":"2"}},{"resource":{"type":"record","id":"3"}}]}`,
			[]bool{true, false, true},
			[]asked{{"ann", "", "record/1", "read"}, {"ann", "", "record/2", "read"}, {"ann", "", "record/3", "read"}}, nil},
		{"an entry overrides an entity whole", `{"subject":{"type":"user","id":"ann","properties":{"installation":"i1"}},"action":{"name":"read"},"resource":{"type":"doc","id":"9"},
			"evaluations":[{},{"action":{"name":"write"}},{"subject":{"type":"installation","id":"i2"},"resource":{"type":"record","id":"1","properties":{"uri":"doc/9"}}}]}`,
			[]bool{false, true, false},
			[]asked{{"ann", "i1", "doc/9", "read"}, {"ann", "i1", "doc/9", "write"}, {"", "i2", "doc/9", "read"}}, nil},
		{"no defaults", `{"evaluations":[{"subject":{"type":"user","id":"bob"},"action":{"name":"read"},"resource":{"type":"record","id":"1"}}]}`,
			[]bool{true}, []asked{{"bob", "", "record/1", "read"}}, nil},
		{"execute_all evaluates every entry", `{"subject":{"type":"user","id":"ann"},"action":{"name":"read"},"options":{"evaluations_semantic":"execute_all"},
			"evaluations":[{"resource":{"type":"record","id":"2"}},{"resource":{"type":"record","id":"1"}},{"resource":{"type":"record","id":"4"}}]}`,
			[]bool{false, true, false},
			[]asked{{"ann", "", "record/2", "read"}, {"ann", "", "record/1", "read"}, {"ann", "", "record/4", "read"}}, nil},
		{"deny_on_first_deny stops after the first deny", `{"subject":{"type":"user","id":"ann"},"action":{"name":"read"},"options":{"evaluations_semantic":"deny_on_first_deny"},
			"evaluations":[{"resource":{"type":"record","id":"1"}},{"resource":{"type":"record","id":"2"}},{"resource":{"type":"record","id":"3"}}]}`,
			[]bool{true, false},
			[]asked{{"ann", "", "record/1", "read"}, {"ann", "", "record/2", "read"}}, nil},
		{"permit_on_first_permit stops after the first permit", `{"subject":{"type":"user","id":"ann"},"action":{"name":"read"},"options":{"evaluations_semantic":"permit_on_first_permit"},
			"evaluations":[{"resource":{"type":"record","id":"2"}},{"resource":{"type":"record","id":"3"}},{"resource":{"type":"record","id":"1"}}]}`,
			[]bool{false, true},
			[]asked{{"ann", "", "record/2", "read"}, {"ann", "", "record/3", "read"}}, nil},
		{"permit_on_first_permit without a permit evaluates all", `{"subject":{"type":"user","id":"ann"},"action":{"name":"write"},"options":{"evaluations_semantic":"permit_on_first_permit","other":1},
			"evaluations":[{"resource":{"type":"record","id":"1"}},{"resource":{"type":"record","id":"2"}}]}`,
			[]bool{false, false},
			[]asked{{"ann", "", "record/1", "write"}, {"ann", "", "record/2", "write"}}, nil},
		{"an invalid entry is a deny with its error", `{"subject":{"type":"user","id":"ann"},"action":{"name":"read"},
			"evaluations":[{"resource":{"type":"record","id":"1"}},{},{"subject":{"type":"group","id":"g"},"resource":{"type":"record","id":"3"}}]}`,
			[]bool{true, false, false},
			[]asked{{"ann", "", "record/1", "read"}}, map[int]int{1: 400, 2: 400}},
		{"an invalid entry stops deny_on_first_deny", `{"subject":{"type":"user","id":"ann"},"action":{"name":"read"},"options":{"evaluations_semantic":"deny_on_first_deny"},
			"evaluations":[{},{"resource":{"type":"record","id":"1"}}]}`,
			[]bool{false}, nil, map[int]int{0: 400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{allow: allow}
			w := post(t, router(f, 10), authzen.PathEvaluations, tt.body)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var resp authzen.BatchResponse
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			var got []bool
			errs := map[int]int{}
			for i, d := range resp.Evaluations {
				got = append(got, d.Decision)
				if d.Context != nil && d.Context.Error != nil {
					errs[i] = d.Context.Error.Status
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decisions (-want +got):\n%s", diff)
			}
			var gotAsked []asked
			for _, in := range f.asked {
				gotAsked = append(gotAsked, asked{in.User, in.Installation, in.Resource, in.Permission})
			}
			if diff := cmp.Diff(tt.asked, gotAsked); diff != "" {
				t.Errorf("questions asked (-want +got):\n%s", diff)
			}
			if tt.error == nil {
				tt.error = map[int]int{}
			}
			if diff := cmp.Diff(tt.error, errs); diff != "" {
				t.Errorf("entry errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluationsWholeRequest(t *testing.T) {
	f := &fake{allow: map[string]bool{"read@record/1": true}}
	h := router(f, 2)
	single := `"subject":{"type":"user","id":"ann"},"action":{"name":"read"},"resource":{"type":"record","id":"1"}`
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"no evaluations is one evaluation", `{` + single + `}`, 200,
			`{"decision":true,"context":{"decision_id":"d1","revision":7,"reasons":[{"kind":"record","id":"r1","role":"viewer","resource":"record/1"}]}}`},
		{"empty evaluations is one evaluation", `{` + single + `,"evaluations":[]}`, 200,
			`{"decision":true,"context":{"decision_id":"d1","revision":7,"reasons":[{"kind":"record","id":"r1","role":"viewer","resource":"record/1"}]}}`},
		{"no evaluations and incomplete", `{"subject":{"type":"user","id":"ann"}}`, 400, `{"code":"invalid_input","errors":["resource","action"]}`},
		{"unknown semantic", `{` + single + `,"options":{"evaluations_semantic":"first"},"evaluations":[{}]}`, 400, `{"code":"invalid_input","errors":["options.evaluations_semantic"]}`},
		{"wrong types in an entry", `{` + single + `,"evaluations":[{},{"subject":"ann"},3]}`, 400, `{"code":"invalid_input","errors":["evaluations[1].subject","evaluations[2]"]}`},
		{"evaluations not an array", `{` + single + `,"evaluations":{}}`, 400, `{"code":"invalid_input","errors":["evaluations"]}`},
		{"options not an object", `{` + single + `,"options":"execute_all"}`, 400, `{"code":"invalid_input","errors":["options"]}`},
		{"more than the batch limit", `{` + single + `,"evaluations":[{},{},{}]}`, 413, `{"code":"batch_too_large"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(t, h, authzen.PathEvaluations, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			var want any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			got := body(t, w)
			if tt.status != 200 {
				got = errorSummary(got)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}
