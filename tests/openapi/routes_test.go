package openapi

import (
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes/writestest"
)

// ginParam is a Gin path parameter, :name or *name.
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// registered lists the router's routes as "METHOD /path/{param}".
func registered(t *testing.T) []string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := engine.NewWithOptions(log, engine.Options{})
	h := api.NewRouter(api.Deps{Engine: e, Store: writestest.NewStoreFrom(&model.Snapshot{}), Bundles: bundles.NewServer(e, nil), Log: log})
	r, ok := h.(*gin.Engine)
	if !ok {
		t.Fatalf("api.NewRouter returned %T, want *gin.Engine", h)
	}
	var out []string
	for _, route := range r.Routes() {
		out = append(out, route.Method+" "+ginParam.ReplaceAllString(route.Path, "{$1}"))
	}
	slices.Sort(out)
	return out
}

// documented lists the document's operations as "METHOD /path".
func documented(t *testing.T) []string {
	t.Helper()
	raw, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	doc := loadDoc(t, raw)
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// TestRoutesAreDocumented: the router registers exactly the documented
// operations.
func TestRoutesAreDocumented(t *testing.T) {
	got, want := registered(t), documented(t)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("registered routes (+) differ from the documented ones (-):\n%s", diff)
	}
}

// TestDocumentServed: GET /openapi.json needs no key and answers the
// embedded document, which is valid OpenAPI 3.1.
func TestDocumentServed(t *testing.T) {
	raw, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	doc := loadDoc(t, raw)
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi is %q, want 3.1.0", doc.OpenAPI)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := engine.NewWithOptions(log, engine.Options{})
	h := api.NewRouter(api.Deps{Engine: e, Store: writestest.NewStoreFrom(&model.Snapshot{}), Keys: []api.Key{{Name: "k", Secret: "0123456789abcdef", Scopes: []string{api.ScopeRead}}}, Log: log})
	srv := newTestServer(t, h)
	res := send(t, mustRequest(t, http.MethodGet, srv+"/openapi.json"))
	if res.status != http.StatusOK || string(res.body) != string(raw) {
		t.Errorf("GET /openapi.json without a key: %d, %d bytes; want 200 and the document", res.status, len(res.body))
	}
}
