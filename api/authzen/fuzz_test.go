package authzen

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/engine/model"
)

// FuzzEvaluations: the evaluations body decoder refuses only with a
// MalformedError or a ShapeError; a body it accepts re-encodes to one it
// reads back the same; and every evaluation that maps to an engine input
// without problems maps to one the engine's own validation accepts, so no
// control character or bad id reaches a decision.
func FuzzEvaluations(f *testing.F) {
	for _, s := range []string{
		`{"subject":{"type":"user","id":"alice"},"action":{"name":"can_read"},"resource":{"type":"todo","id":"1"}}`,
		`{"subject":{"type":"app","id":"platform:a"},"context":{"tenant":"t1"},"action":{"name":"x.read"},"resource":{"type":"tenants","id":"t1/apps/platform:b","properties":{"uri":"tenants/t1"}}}`,
		`{"subject":{"type":"user","id":"alice","properties":{"installation":"i1"}},"evaluations":[{"action":{"name":"read"},"resource":{"type":"a","id":"b"}},{}],"options":{"evaluations_semantic":"deny_on_first_deny"}}`,
		`{"evaluations":[null,1,"x"],"options":{"evaluations_semantic":"sometimes"}}`,
		`{"subject":{"type":"user","id":"al\u0000ice"},"action":{"name":"read"},"resource":{"type":"a","id":"b"},"subject":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := parseEvaluations(raw)
		var bad *model.MalformedError
		var shape *model.ShapeError
		switch {
		case errors.As(err, &bad), errors.As(err, &shape):
			return
		case err != nil:
			t.Fatalf("%q: an error that is neither malformed nor a shape problem: %v", raw, err)
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseEvaluations(again)
		if err != nil {
			t.Fatalf("%s: re-encoded as %s, which is refused: %v", raw, again, err)
		}
		if diff := cmp.Diff(r, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%s: round trip (-first +again):\n%s", raw, diff)
		}
		for _, e := range append(r.Evaluations, r.Evaluation) {
			in, problems := Input(withDefaults(e, r.Evaluation))
			if len(problems) == 0 && len(in.Validate()) > 0 {
				t.Fatalf("%s: mapped to %+v, which the engine refuses: %v", raw, in, in.Validate())
			}
		}
	})
}

// FuzzSearch: the search body decoder refuses only with a MalformedError
// or a ShapeError; an accepted body's page limit is in range (or absent)
// and re-encodes to a body read back the same; a page token is either
// refused or names a cursor that, issued again, reads back the same.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		`{"subject":{"type":"user"},"action":{"name":"view"},"resource":{"type":"record","id":"101"}}`,
		`{"subject":{"type":"user","id":"alice"},"action":{"name":"view"},"resource":{"type":"record"},"page":{"limit":2,"token":"cnJlY29yZC8xMDI"}}`,
		`{"subject":{"type":"user","id":"alice"},"resource":{"type":"record","id":"101"},"page":{"limit":0}}`,
		`{"page":null}`, `{"page":{"limit":1.5,"token":7}}`, `{"page":{"limit":1e3}}`,
	} {
		f.Add([]byte(s))
	}
	const maxLimit = 1000
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, err := parseSearch(raw, maxLimit)
		var bad *model.MalformedError
		var shape *model.ShapeError
		switch {
		case errors.As(err, &bad), errors.As(err, &shape):
			return
		case err != nil:
			t.Fatalf("%q: an error that is neither malformed nor a shape problem: %v", raw, err)
		}
		if req.Page != nil && req.Page.Limit != 0 && (req.Page.Limit < 1 || req.Page.Limit > maxLimit) {
			t.Fatalf("%s: limit %d accepted", raw, req.Page.Limit)
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseSearch(again, maxLimit)
		if err != nil {
			t.Fatalf("%s: re-encoded as %s, which is refused: %v", raw, again, err)
		}
		if diff := cmp.Diff(req, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%s: round trip (-first +again):\n%s", raw, diff)
		}
		if req.Page == nil || req.Page.Token == "" {
			return
		}
		h := handlers{Deps{Search: Searches{DefaultLimit: 100, MaxLimit: maxLimit}}}
		var ps model.Problems
		_, after := h.page(&ps, req.Page, tokenResource)
		if len(ps.List()) > 0 {
			return
		}
		var again2 model.Problems
		if _, back := h.page(&again2, &PageRequest{Token: token(tokenResource, after)}, tokenResource); back != after || len(again2.List()) > 0 {
			t.Fatalf("token %q: cursor %q issued again reads %q (%v)", req.Page.Token, after, back, again2.List())
		}
	})
}
