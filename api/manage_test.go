package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes"
	"github.com/gatehouse/gatehouse/engine/writes/writestest"
)

// applyFails is the engine with an Apply that always fails, as when a
// stored write cannot be made visible on this server.
type applyFails struct{ *engine.Engine }

func (applyFails) Apply(context.Context, []engine.Change) (uint64, error) {
	return 0, errors.New("apply failed")
}

// manageRouter serves the management routes over an engine loaded with a
// role and a membership giving it, and an in-memory store holding the
// same; pending makes every write stored but not applied.
func manageRouter(t *testing.T, pending bool) http.Handler {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	role := model.Role{Meta: model.Meta{ID: "viewer"}, Name: "Viewer", Permissions: []model.Permission{{Action: "chats:read"}}}
	m := model.Membership{Meta: model.Meta{ID: "m1"}, UserID: "u1", Context: "accounts/a", Roles: []string{"viewer"}}
	eng := engine.NewWithOptions(log, engine.Options{})
	if _, err := eng.Load(t.Context(), &model.Snapshot{Roles: []model.Role{role}, Memberships: []model.Membership{m}}); err != nil {
		t.Fatal(err)
	}
	store := writestest.NewStore(&role, &m)
	var w writes.Engine = eng
	if pending {
		w = applyFails{eng}
	}
	return NewRouter(Deps{Engine: eng, Store: store, Log: log, Writes: writes.New(w, store, log)})
}

// response is what a test checks of an answer: status, chosen headers,
// and the body's code and problem fields (errors) or _id (documents).
type response struct {
	status  int
	headers map[string]string
	code    string
	message string
	fields  []string
	id      string
}

func TestManageHandlers(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		path    string
		body    string
		headers []string // name, value pairs; a name may repeat
		pending bool
		want    response
	}{
		{name: "put creates", method: "PUT", path: "/v1/tenants/t1", body: `{"name":"acme"}`,
			want: response{status: 201, headers: map[string]string{"ETag": `"1"`}, id: "t1"}},
		{name: "put replaces", method: "PUT", path: "/v1/memberships/m1", body: `{"userId":"u2","context":"accounts/a","roles":["viewer"]}`,
			headers: []string{"If-Match", `W/"1"`},
			want:    response{status: 200, headers: map[string]string{"ETag": `"2"`}, id: "m1"}},
		{name: "if-match not a version", method: "PUT", path: "/v1/tenants/t1", body: `{"name":"acme"}`, headers: []string{"If-Match", "abc"},
			want: response{status: 400, code: CodeMalformed, message: `If-Match must be a document version, like "3"`}},
		{name: "user header twice", method: "PUT", path: "/v1/tenants/t1", body: `{"name":"acme"}`, headers: []string{UserHeader, "a", UserHeader, "b"},
			want: response{status: 400, code: CodeMalformed, message: "send X-Gatehouse-User once, not 2 times"}},
		{name: "force not a boolean", method: "DELETE", path: "/v1/roles/viewer?force=yes",
			want: response{status: 400, code: CodeMalformed, message: "force must be given once, as true or false"}},
		{name: "force on behalf of a user", method: "DELETE", path: "/v1/roles/viewer?force=true", headers: []string{UserHeader, "u1"},
			want: response{status: 403, code: CodeForbidden,
				message: "force is never used on behalf of a user: without X-Gatehouse-User, the API key acts with its own rights"}},
		{name: "malformed body", method: "PUT", path: "/v1/tenants/t1", body: `{"name":`,
			want: response{status: 400, code: CodeMalformed}},
		{name: "invalid document", method: "PUT", path: "/v1/memberships/m2", body: `{"userId":"u2","context":"a//b","roles":["nope"]}`,
			want: response{status: 422, code: CodeInvalid, message: "the document is invalid", fields: []string{"context", "roles[0]"}}},
		{name: "on behalf: roles are refused", method: "PUT", path: "/v1/roles/r2", body: `{"name":"r"}`, headers: []string{UserHeader, "u1"},
			want: response{status: 403, code: CodeForbidden, message: "roles cannot be changed on behalf of a user; use an API key with the write scope"}},
		{name: "create", method: "POST", path: "/v1/tenants", body: `{"_id":"t 2","name":"acme"}`,
			want: response{status: 201, headers: map[string]string{"Location": "/v1/tenants/t%202", "ETag": `"1"`}, id: "t 2"}},
		{name: "create with a version", method: "POST", path: "/v1/tenants", body: `{"name":"acme"}`, headers: []string{"If-Match", "3"},
			want: response{status: 409, code: CodeConflict, message: `a created document has no version to match: If-Match must be absent or "0"`}},
		{name: "create of an id taken", method: "POST", path: "/v1/memberships", body: `{"_id":"m1","userId":"u2","context":"accounts/a","roles":["viewer"]}`,
			want: response{status: 409, code: CodeConflict, message: "memberships/m1 already exists"}},
		{name: "delete", method: "DELETE", path: "/v1/memberships/m1", want: response{status: 204}},
		{name: "delete of a role still given", method: "DELETE", path: "/v1/roles/viewer",
			want: response{status: 409, code: CodeConflict, fields: []string{"roles[0]"},
				message: "roles/viewer is still named by other documents: change them first, or delete with ?force=true"}},
		{name: "delete of nothing", method: "DELETE", path: "/v1/tenants/nope", want: response{status: 404, code: CodeNotFound}},
		{name: "get", method: "GET", path: "/v1/roles/viewer", want: response{status: 200, headers: map[string]string{"ETag": `"1"`}, id: "viewer"}},
		{name: "get of nothing", method: "GET", path: "/v1/roles/nope", want: response{status: 404, code: CodeNotFound, message: "no such document"}},
		{name: "list with a bad limit", method: "GET", path: "/v1/roles?limit=0", want: response{status: 422, code: CodeInvalid, fields: []string{"limit"}}},
		{name: "put stored, not applied", method: "PUT", path: "/v1/tenants/t1", body: `{"name":"acme"}`, pending: true,
			want: response{status: 202, headers: map[string]string{"ETag": `"1"`, PendingHeader: "sync"}, id: "t1"}},
		{name: "create stored, not applied", method: "POST", path: "/v1/tenants", body: `{"_id":"t2","name":"acme"}`, pending: true,
			want: response{status: 202, headers: map[string]string{"Location": "/v1/tenants/t2", PendingHeader: "sync"}, id: "t2"}},
		{name: "delete stored, not applied", method: "DELETE", path: "/v1/memberships/m1", pending: true,
			want: response{status: 202, headers: map[string]string{PendingHeader: "sync"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			for i := 0; i+1 < len(tt.headers); i += 2 {
				req.Header.Add(tt.headers[i], tt.headers[i+1])
			}
			w := httptest.NewRecorder()
			manageRouter(t, tt.pending).ServeHTTP(w, req)
			if diff := cmp.Diff(tt.want, readResponse(t, w, tt.want), cmp.AllowUnexported(response{})); diff != "" {
				t.Errorf("(-want +got):\n%s\nbody %s", diff, w.Body)
			}
		})
	}
}

// readResponse reads what want asks about from w.
func readResponse(t *testing.T, w *httptest.ResponseRecorder, want response) response {
	t.Helper()
	got := response{status: w.Code}
	if len(want.headers) > 0 {
		got.headers = map[string]string{}
		for name := range want.headers {
			got.headers[name] = w.Header().Get(name)
		}
	}
	if w.Body.Len() == 0 {
		return got
	}
	var body struct {
		ErrorBody
		ID string `json:"_id"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %s: %v", w.Body, err)
	}
	got.code, got.id = body.Code, body.ID
	if want.message != "" {
		got.message = body.Message
	}
	for _, p := range body.Errors {
		got.fields = append(got.fields, p.Field)
	}
	return got
}
