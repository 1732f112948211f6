package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
)

// Case is one bad (or boundary) request and the answer it must get.
type Case struct {
	Name   string
	Method string
	Path   string
	Body   any // nil, string or []byte, sent as is
	Status int
	Code   string   // error code; "" for a success
	Fields []string // the distinct errors[].field values, sorted; nil to not check
	Bug    string   // a known product bug: the case is skipped with this message
	N      int      // for a 200 batch: the number of results, each allowed
}

var snakeCase = regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)

// ErrorProblems checks that raw is a well-formed error body with the
// wanted code, and returns why not ("" when it is) and its sorted distinct
// fields. Decoding is strict: a key outside the error body fails it.
func ErrorProblems(raw []byte, wantCode string) (string, []string) {
	var body api.ErrorBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return fmt.Sprintf("error body %s is not {code, message, errors}: %v", raw, err), nil
	}
	switch {
	case body.Code != wantCode:
		return fmt.Sprintf("code %q, want %q; body %s", body.Code, wantCode, raw), nil
	case !snakeCase.MatchString(body.Code):
		return fmt.Sprintf("code %q is not snake_case", body.Code), nil
	case body.Message == "":
		return fmt.Sprintf("empty message in %s", raw), nil
	case strings.Contains(body.Message, "goroutine") || strings.Contains(body.Message, "runtime error"):
		return fmt.Sprintf("message leaks internals: %q", body.Message), nil
	}
	var fields []string
	for _, p := range body.Errors {
		if p.Field == "" || p.Message == "" {
			return fmt.Sprintf("problem without field or message in %s", raw), nil
		}
		fields = append(fields, p.Field)
	}
	slices.Sort(fields)
	return "", slices.Compact(fields)
}

// Verify checks one answer against its case.
func (c Case) Verify(t testing.TB, status int, raw []byte) {
	t.Helper()
	if status != c.Status {
		t.Fatalf("%s %s: status %d, want %d; body %.300s", c.Method, c.Path, status, c.Status, raw)
	}
	if c.Code == "" {
		if !json.Valid(raw) {
			t.Fatalf("success body is not JSON: %.300s", raw)
		}
		if c.N > 0 {
			var batch api.BatchResponse
			if err := json.Unmarshal(raw, &batch); err != nil {
				t.Fatal(err)
			}
			if len(batch.Results) != c.N || !batch.Results[0].Allowed || !batch.Results[c.N-1].Allowed {
				t.Errorf("%d results, want %d allowed", len(batch.Results), c.N)
			}
		}
		return
	}
	why, fields := ErrorProblems(raw, c.Code)
	if why != "" {
		t.Fatal(why)
	}
	if c.Fields != nil {
		if diff := cmp.Diff(c.Fields, fields); diff != "" {
			t.Errorf("errors[].field (-want +got):\n%s\nbody %s", diff, raw)
		}
	}
	if c.Status == http.StatusUnprocessableEntity && len(fields) == 0 {
		t.Errorf("422 without any problem listed: %s", raw)
	}
}
