package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/gatehouse/gatehouse/api"
)

// loadDoc parses and validates an OpenAPI document.
func loadDoc(t testing.TB, raw []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	return doc
}

// target is a running gatehouse as the calls see it: its base URL and the
// scopes of each key it holds (none: every caller is admitted).
type target struct {
	base string
	keys map[string][]string // bearer token -> scopes
}

// call is one request to a documented operation and what it must get.
type call struct {
	name    string
	op      string            // "METHOD /documented/{template}"
	params  map[string]string // path parameters, escaped when sent
	query   string            // raw query, without "?"
	body    any               // string and []byte are sent as is, else as JSON
	headers map[string]string // Content-Type defaults to application/json
	keyed   bool              // to the server with API keys
	key     string            // bearer token sent to it
	want    int
	// refused: the request breaks the document's own rules (schema,
	// parameters, security), so ValidateRequest must refuse it too. When
	// false it must accept it: the server refuses it for a reason the
	// document cannot express (a reference, a conflict, a missing document).
	refused bool
	// reuseETag sends the previous response's ETag as If-None-Match.
	reuseETag bool
	// oversize: the body is over the server's limit, which the document
	// cannot state; the request is validated with the body's first byte, a
	// malformed stand-in, since decoding the whole under -race costs
	// seconds.
	oversize bool
	// open: the response schema is open by design, so an added field is
	// not a mismatch (the OpenAPI document itself).
	open bool
}

func (c call) method() string { return strings.SplitN(c.op, " ", 2)[0] }
func (c call) template() string {
	return strings.SplitN(c.op, " ", 2)[1]
}

// catchAll are the path parameters that hold "/" (Gin's *param routes).
var catchAll = map[string]bool{"path": true, "name": true}

// url fills the template's parameters, path-escaping all but catch-alls.
func (c call) url(base string) string {
	p := c.template()
	for k, v := range c.params {
		if !catchAll[k] {
			v = url.PathEscape(v)
		}
		p = strings.ReplaceAll(p, "{"+k+"}", v)
	}
	if c.query != "" {
		p += "?" + c.query
	}
	return base + p
}

func (c call) bodyBytes(t testing.TB) []byte {
	switch b := c.body.(type) {
	case nil:
		return nil
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	raw, err := json.Marshal(c.body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// request builds the call's request; built twice, once to send and once
// to validate, since validating reads the body.
func (c call) request(t testing.TB, base string, body []byte) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(c.method(), c.url(base), r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	return req
}

// response is what the server answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

func send(t testing.TB, req *http.Request) response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// validator checks calls against one document.
type validator struct{ doc *openapi3.T }

// input is the call's request as the filter validates it.
func (v validator) input(c call, req *http.Request, srv target) (*openapi3filter.RequestValidationInput, error) {
	item := v.doc.Paths.Value(c.template())
	if item == nil {
		return nil, fmt.Errorf("%s is not documented", c.template())
	}
	op := item.GetOperation(c.method())
	if op == nil {
		return nil, fmt.Errorf("%s is not documented", c.op)
	}
	route := &routers.Route{Spec: v.doc, Path: c.template(), PathItem: item, Method: c.method(), Operation: op}
	return &openapi3filter.RequestValidationInput{
		Request: req, PathParams: c.params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: srv.authenticate, MultiError: true},
	}, nil
}

// authenticate admits a request as the server does: every caller when it
// has no keys, else a known bearer key holding the scopes (admin implies
// every scope).
func (s target) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if len(s.keys) == 0 {
		return nil
	}
	token, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ")
	scopes, known := s.keys[token]
	if !ok || !known {
		return errors.New("no known bearer key")
	}
	for _, want := range in.Scopes {
		if !slices.Contains(scopes, want) && !slices.Contains(scopes, api.ScopeAdmin) {
			return fmt.Errorf("the key lacks scope %s", want)
		}
	}
	return nil
}

// validateResponse checks res against the document, undocumented
// statuses included.
func (v validator) validateResponse(in *openapi3filter.RequestValidationInput, res response) error {
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.status, Header: res.header,
		Body:    io.NopCloser(bytes.NewReader(res.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
}

// withExtraField returns a JSON object body with one field the document
// cannot know, or false when the body is not a JSON object.
func withExtraField(body []byte) ([]byte, bool) {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil || m == nil {
		return nil, false
	}
	m["undocumented_field"] = true
	out, err := json.Marshal(m)
	return out, err == nil
}

// check sends c to srv and validates its request and response against
// the document; it returns the response for calls that read it.
func (v validator) check(t *testing.T, srv target, c call) response {
	t.Helper()
	body := c.bodyBytes(t)
	res := send(t, c.request(t, srv.base, body))
	if res.status != c.want {
		t.Fatalf("%s: status %d, want %d; body %s", c.op, res.status, c.want, res.body)
	}
	if c.oversize {
		body = body[:1]
	}
	in, err := v.input(c, c.request(t, srv.base, body), srv)
	if err != nil {
		t.Fatal(err)
	}
	err = openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case c.refused && err == nil:
		t.Errorf("%s: the document accepts a request the server refused with %d", c.op, res.status)
	case !c.refused && err != nil:
		t.Errorf("%s: the document refuses the request: %v", c.op, err)
	}
	if err := v.validateResponse(in, res); err != nil {
		t.Errorf("%s: the response does not match the document: %v", c.op, err)
	}
	if extra, ok := withExtraField(res.body); ok && !c.open {
		if v.validateResponse(in, response{status: res.status, header: res.header, body: extra}) == nil {
			t.Errorf("%s: the document accepts a %d body with an undocumented field", c.op, res.status)
		}
	}
	return res
}
