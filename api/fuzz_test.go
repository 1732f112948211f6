package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Fuzz targets for the decision bodies. Their invariant is agreement: a
// body /v1/authorize answers is one data.gatehouse.authz.decision (the
// Rego sidecars run) answers the same way, and a body it refuses as
// invalid is one the Rego calls invalid_input.

func fuzzRouter(f *testing.F) http.Handler {
	f.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := engine.New(log)
	if _, err := eng.Load(context.Background(), fuzzSnapshot()); err != nil {
		f.Fatal(err)
	}
	return NewRouter(Deps{Engine: eng, Log: log})
}

func fuzzSnapshot() *model.Snapshot {
	return &model.Snapshot{
		Roles: []model.Role{
			{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "read:*"}}},
			{Meta: model.Meta{ID: "admin"}, Permissions: []model.Permission{{Action: "*", Grant: true}}},
		},
		Records: []model.Record{{Meta: model.Meta{ID: "r1"}, Status: model.StatusActive,
			Users: []model.UserRef{{UserID: "alice"}},
			Statements: []model.Statement{
				{Roles: []string{"admin"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/A"}}},
				{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/*/docs"}}},
			}}},
		Extensions:    []model.Extension{{Meta: model.Meta{ID: "ext"}, Permissions: []string{"read"}}},
		Installations: []model.Installation{{Meta: model.Meta{ID: "i1"}, ExtensionID: "ext", Context: "accounts/A", ConsentedPermissions: []string{"read:*"}, Status: model.StatusActive}},
	}
}

func fuzzPost(h http.Handler, path string, body []byte) (int, []byte) {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

var decisionSeeds = []string{
	`{"user":"alice","resource":"accounts/A/x","permission":"read"}`,
	`{"user":"alice","installation":"i1","resource":"accounts/A","permission":"read:x"}`,
	`{"user":null,"installation":"i1","resource":"accounts/A","permission":"read"}`,
	`{"user":"nobody","user":"alice","resource":"accounts/A","permission":"read"}`,
	`{"user":"alice","resource":"accounts/A/../B","permission":"read"}`,
	`{"user":"alice","resource":"acct\u0000read","permission":"x"}`,
	`{"installation":"i1","resource":"accounts/B/docs/1","permission":"read:x","extra":1}`,
	`["alice"]`,
}

// FuzzAuthorizeBody: /v1/authorize and the Rego decision agree on raw bodies.
func FuzzAuthorizeBody(f *testing.F) {
	h := fuzzRouter(f)
	for _, s := range decisionSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		agreesWithRego[engine.Decision](t, h, "/v1/authorize", "/v1/data/gatehouse/authz/decision", body,
			func(d engine.Decision) *string { return d.DeniedBy })
	})
}

// agreesWithRego posts body to path and, as input, to the Rego entrypoint
// at dataPath: a body that is not one JSON value is 400 (or 413); an
// answered one equals the Rego's answer; a refused one is one the Rego
// calls invalid_input. deniedBy reads an answer's denied_by.
func agreesWithRego[D any](t *testing.T, h http.Handler, path, dataPath string, body []byte, deniedBy func(D) *string) {
	t.Helper()
	code, raw := fuzzPost(h, path, body)
	var input any
	if err := model.DecodeJSON(body, &input); err != nil {
		if code != http.StatusBadRequest && code != http.StatusRequestEntityTooLarge {
			t.Fatalf("%q is not one well-formed JSON value, yet %s answered %d %s", body, path, code, raw)
		}
		return
	}
	wrapped, _ := json.Marshal(map[string]any{"input": input})
	dcode, draw := fuzzPost(h, dataPath, wrapped)
	if dcode != http.StatusOK {
		t.Fatalf("data API: %d %s", dcode, draw)
	}
	var rego struct{ Result D }
	if err := json.Unmarshal(draw, &rego); err != nil {
		t.Fatal(err)
	}
	d := deniedBy(rego.Result)
	invalid := d != nil && *d == "invalid_input"
	switch code {
	case http.StatusOK:
		var native D
		if err := json.Unmarshal(raw, &native); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rego.Result, native, sameAnswer); diff != "" {
			t.Fatalf("%s: native and Rego differ (-rego +native):\n%s", body, diff)
		}
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		if !invalid {
			t.Fatalf("%s: %s %d %s, Rego %+v", body, path, code, raw, rego.Result)
		}
	default:
		t.Fatalf("%s: %s %d %s", body, path, code, raw)
	}
}

// FuzzBatchBody: a batch answers every check as /v1/authorize answers it
// alone, or refuses the whole batch when any check is refused.
func FuzzBatchBody(f *testing.F) {
	h := fuzzRouter(f)
	for _, s := range decisionSeeds {
		f.Add([]byte(`{"checks":[` + s + `]}`))
	}
	f.Add([]byte(`{"checks":[],"checks":[{}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		code, raw := fuzzPost(h, "/v1/authorize/batch", body)
		var req struct{ Checks []json.RawMessage }
		if model.DecodeJSON(body, &req) != nil || code != http.StatusOK {
			return
		}
		var out BatchResponse
		if err := json.Unmarshal(raw, &out); err != nil || len(out.Results) != len(req.Checks) {
			t.Fatalf("%s: %d results for %d checks (%v)", body, len(out.Results), len(req.Checks), err)
		}
		for i, c := range req.Checks {
			one, oraw := fuzzPost(h, "/v1/authorize", c)
			var alone engine.Decision
			if one != http.StatusOK || json.Unmarshal(oraw, &alone) != nil {
				t.Fatalf("check %d answered in a batch, alone %d %s", i, one, oraw)
			}
			if diff := cmp.Diff(alone, out.Results[i], sameAnswer); diff != "" {
				t.Fatalf("check %d: (-alone +batch):\n%s", i, diff)
			}
		}
	})
}

// FuzzDataInput: the Data API reads the same input from a POST body and
// from GET's ?input=, and refuses the same inputs.
func FuzzDataInput(f *testing.F) {
	h := fuzzRouter(f)
	for _, s := range decisionSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		pcode, praw := fuzzPost(h, "/v1/data/gatehouse/authz/decision", append(append([]byte(`{"input":`), input...), '}'))
		req := httptest.NewRequest(http.MethodGet, "/v1/data/gatehouse/authz/decision?input="+url.QueryEscape(string(input)), nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if pcode == http.StatusOK && w.Code == http.StatusOK {
			var p, g struct{ Result engine.Decision }
			if json.Unmarshal(praw, &p) != nil || json.Unmarshal(w.Body.Bytes(), &g) != nil || !cmp.Equal(p, g, sameAnswer) {
				t.Fatalf("%q: POST %s, GET %s", input, praw, w.Body)
			}
			return
		}
		if pcode == http.StatusOK && len(bytes.TrimSpace(input)) > 0 {
			t.Fatalf("%q: POST %d %s, GET %d %s", input, pcode, praw, w.Code, w.Body)
		}
	})
}

var routeSeeds = []string{
	`{"tenant":"t1","method":"GET","path":"/v1/participants/p1","user":"alice"}`,
	`{"tenant":"t1","method":"GET","path":"/v1/participants/p1","app":"platform:x"}`,
	`{"tenant":"t1","method":"BREW","path":"/x","user":"alice"}`,
	`{"tenant":"t1","method":"GET","path":"/x","user":"alice","app":"platform:x"}`,
	`{"tenant":null,"method":"GET","path":"/x","user":"alice"}`,
	`{"tenant":"t1","tenant":"t2","method":"GET","path":"/x","user":"alice"}`,
	`{"tenant":"t\u0000","method":"GET","path":"x","user":"alice"}`,
}

// FuzzAuthorizeHTTPBody: /v1/authorize/http and the Rego route decision
// (data.gatehouse.routes.decision, which sidecars run) agree on raw bodies.
func FuzzAuthorizeHTTPBody(f *testing.F) {
	h := fuzzRouter(f)
	for _, s := range routeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		agreesWithRego[engine.HTTPDecision](t, h, "/v1/authorize/http", "/v1/data/gatehouse/routes/decision", body,
			func(d engine.HTTPDecision) *string { return d.DeniedBy })
	})
}
