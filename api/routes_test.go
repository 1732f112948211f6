package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// sameAnswer compares decisions by what they answer, leaving out what
// differs between two evaluations of one question.
var sameAnswer = cmpopts.IgnoreFields(engine.Decision{}, "DecisionID", "Revision")

// routeCase is one request to the router and the answer it must get: the
// status and, for an error, its code and distinct problem fields (sorted);
// render, when set, checks a success body.
type routeCase struct {
	name   string
	method string
	path   string
	body   string
	want   response
	render func(t *testing.T, raw []byte)
}

// handlerSnapshot is fuzzSnapshot with a membership: carol reads docs
// anywhere under accounts/B.
func handlerSnapshot() *model.Snapshot {
	snap := fuzzSnapshot()
	snap.Memberships = []model.Membership{{Meta: model.Meta{ID: "m1"}, UserID: "carol", Context: "accounts/B", Roles: []string{"reader"}}}
	return snap
}

// handlerRouter serves every route over an engine holding snap (none: an
// engine never loaded, so not ready) with cfg's limits.
func handlerRouter(t *testing.T, snap *model.Snapshot, cfg Config) (http.Handler, *engine.Engine) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := engine.New(log)
	if snap != nil {
		if _, err := eng.Load(t.Context(), snap); err != nil {
			t.Fatal(err)
		}
	}
	return NewRouter(Deps{Engine: eng, Log: log, Config: cfg}), eng
}

// serve sends one request to h.
func serve(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// runRoutes serves each case and checks its answer.
func runRoutes(t *testing.T, h http.Handler, cases []routeCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.method, tt.path, tt.body)
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			got := readResponse(t, w, tt.want)
			slices.Sort(got.fields)
			got.fields = slices.Compact(got.fields)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(response{})); diff != "" {
				t.Fatalf("(-want +got):\n%s\nbody %s", diff, w.Body)
			}
			if tt.want.code != "" {
				strictErrorBody(t, w.Body.Bytes())
			}
			if tt.render != nil {
				tt.render(t, w.Body.Bytes())
			}
		})
	}
}

// strictErrorBody fails unless raw is exactly the error body: no other
// keys, a message, and every problem with a field and a message.
func strictErrorBody(t *testing.T, raw []byte) {
	t.Helper()
	var body ErrorBody
	decodeOnly(t, raw, &body)
	if body.Message == "" {
		t.Errorf("error body without a message: %s", raw)
	}
	for _, p := range body.Errors {
		if p.Field == "" || p.Message == "" {
			t.Errorf("problem without a field or message: %s", raw)
		}
	}
}

// decodeOnly decodes raw into out, failing on any key out does not have.
func decodeOnly(t *testing.T, raw []byte, out any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("body %s is not a %T: %v", raw, out, err)
	}
}
