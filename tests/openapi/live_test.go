package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// The keyed server's API keys, one per scope.
const (
	adminKey   = "admin-key-0123456789"
	decideKey  = "decide-key-0123456789"
	readKey    = "read-key-0123456789ab"
	writeKey   = "write-key-0123456789a"
	bundlesKey = "bundles-key-012345678"
)

var keys = []api.Key{
	{Name: "admin", Secret: adminKey, Scopes: []string{api.ScopeAdmin}},
	{Name: "decide", Secret: decideKey, Scopes: []string{api.ScopeDecide}},
	{Name: "read", Secret: readKey, Scopes: []string{api.ScopeRead}},
	{Name: "write", Secret: writeKey, Scopes: []string{api.ScopeWrite}},
	{Name: "bundles", Secret: bundlesKey, Scopes: []string{api.ScopeBundles}},
}

// TestLiveResponses drives every documented route of a live server on the
// embedded store (the demo data) with successes and the errors each can
// give, in order (writes build on each other), validating each request and
// response against the document the server serves; then it checks that
// every documented operation was driven.
func TestLiveResponses(t *testing.T) {
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	k := testkit.StartOn(t, g.URI, func(c *server.Config) { c.Keys = keys })
	open, keyed := target{base: g.Base}, target{base: k.Base, keys: map[string][]string{}}
	for _, key := range keys {
		keyed.keys[key.Secret] = key.Scopes
	}
	served := send(t, mustRequest(t, http.MethodGet, g.Base+"/openapi.json"))
	v := validator{doc: loadDoc(t, served.body)}
	seen := map[string]map[int]bool{}
	var last response
	for _, c := range append(append(calls(), searchCalls()...), generatedCalls(v.doc)...) {
		srv := open
		if c.keyed {
			srv = keyed
		}
		if c.reuseETag {
			c.headers = map[string]string{"If-None-Match": last.header.Get("ETag")}
		}
		t.Run(c.op+" "+c.name, func(t *testing.T) { last = v.check(t, srv, c) })
		if seen[c.op] == nil {
			seen[c.op] = map[int]bool{}
		}
		seen[c.op][c.want] = true
	}
	checkDriven(t, v, seen)
}

// checkDriven fails for a documented operation never driven to a success
// and logs the documented statuses no call produced.
func checkDriven(t *testing.T, v validator, seen map[string]map[int]bool) {
	t.Helper()
	var notDriven []string
	for path, item := range v.doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := strings.ToUpper(method) + " " + path
			success := false
			for code := range seen[name] {
				success = success || code < 400
			}
			if !success {
				t.Errorf("%s: no call drives it to a success", name)
			}
			for code := range op.Responses.Map() {
				var n int
				if _, err := fmt.Sscan(code, &n); err == nil && !seen[name][n] {
					notDriven = append(notDriven, name+" "+code)
				}
			}
		}
	}
	t.Logf("documented statuses no call produces (%d): %s", len(notDriven), strings.Join(notDriven, ", "))
}

// TestUnroutedErrors: a method a path does not serve (405) and a path no
// route serves (404) answer the documented ErrorBody; OpenAPI has no
// operation to attach them to, so the document states them in its
// description and this checks their body against the schema.
func TestUnroutedErrors(t *testing.T) {
	g := testkit.Start(t, nil)
	raw, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	errorBody := loadDoc(t, raw).Components.Schemas["ErrorBody"].Value
	for _, tt := range []struct {
		method, path string
		want         int
		code         string
	}{
		{http.MethodDelete, "/health", http.StatusMethodNotAllowed, "method_not_allowed"},
		{http.MethodGet, "/v1/authorize", http.StatusMethodNotAllowed, "method_not_allowed"},
		{http.MethodGet, "/v1/nothing", http.StatusNotFound, "not_found"},
	} {
		res := send(t, mustRequest(t, tt.method, g.Base+tt.path))
		var body map[string]any
		if err := json.Unmarshal(res.body, &body); err != nil {
			t.Fatalf("%s %s: %v", tt.method, tt.path, err)
		}
		if res.status != tt.want || body["code"] != tt.code {
			t.Errorf("%s %s: %d %v, want %d %s", tt.method, tt.path, res.status, body["code"], tt.want, tt.code)
		}
		if err := errorBody.VisitJSON(body, openapi3.EnableJSONSchema2020()); err != nil {
			t.Errorf("%s %s: the body is not an ErrorBody: %v", tt.method, tt.path, err)
		}
	}
}
