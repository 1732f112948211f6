package manage

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// customEntrypoints declares one entrypoint a decide key may query, and a
// rule beside it that copies the raw data, which it may not.
const customEntrypoints = `package custom.scoped

# METADATA
# description: A question services may ask.
# entrypoint: true
answer := input.x + 1

dump := data.gatehouse.index.users
`

// scopeCase is one route and the scope it needs; "" means none.
type scopeCase struct {
	method, path string
	body         string
	need         string
	ok           int // the status when admitted
}

// scopeCases lists every route and Data API path with what it needs.
func scopeCases() []scopeCase {
	decision := `{"user": "alice", "resource": "accounts/acme/chats/general", "permission": "chats:read"}`
	input := `{"input": ` + decision + `}`
	chat := url.PathEscape("accounts/acme/chats/general")
	cases := []scopeCase{
		{"GET", "/health", "", "", 200},
		{"GET", "/ready", "", "", 200},
		{"GET", "/v1/status", "", api.ScopeRead, 200},
		{"GET", "/metrics", "", api.ScopeRead, 200},
		{"POST", "/v1/authorize", decision, api.ScopeDecide, 200},
		{"POST", "/v1/authorize/batch", `{"checks": [` + decision + `]}`, api.ScopeDecide, 200},
		{"GET", "/v1/users/alice/resources/" + chat + "/permissions/chats:read", "", api.ScopeDecide, 200},
		{"GET", "/v1/users/alice/resources/" + chat + "/permissions", "", api.ScopeDecide, 200},
		{"GET", "/v1/users/alice/resources?permission=chats:read", "", api.ScopeDecide, 200},
		{"GET", "/v1/users/alice/memberships?context=accounts/acme", "", api.ScopeDecide, 200},
		{"GET", "/v1/bundles/gatehouse", "", api.ScopeBundles, 200},
		// The Data API: entrypoints for decide, everything for read.
		{"POST", "/v1/data/gatehouse/authz/allow", input, dataEntrypoint, 200},
		{"GET", "/v1/data/gatehouse/authz/allow", "", dataEntrypoint, 200},
		{"POST", "/v1/data/gatehouse/authz/decision", input, dataEntrypoint, 200},
		{"POST", "/v1/data/gatehouse/authz/decision/allowed", input, dataEntrypoint, 200},
		{"POST", "/v1/data/gatehouse/lookup/permissions", `{"input": {"user": "alice", "resource": "accounts/acme"}}`, dataEntrypoint, 200},
		{"POST", "/v1/data/gatehouse/lookup/resources", `{"input": {"user": "alice", "permission": "chats:read"}}`, dataEntrypoint, 200},
		{"POST", "/v1/data/custom/scoped/answer", `{"input": {"x": 1}}`, dataEntrypoint, 200},
		{"GET", "/v1/data", "", api.ScopeRead, 200},
		{"POST", "/v1/data", input, api.ScopeRead, 200},
		{"GET", "/v1/data/", "", api.ScopeRead, 200},
		{"GET", "/v1/data/gatehouse", "", api.ScopeRead, 200},
		{"GET", "/v1/data/gatehouse/index", "", api.ScopeRead, 200},
		{"GET", "/v1/data/gatehouse/index/users/alice", "", api.ScopeRead, 200},
		{"GET", "/v1/data//gatehouse/index", "", api.ScopeRead, 200},
		{"GET", "/v1/data/gatehouse/authz", "", api.ScopeRead, 200},
		{"POST", "/v1/data/gatehouse/authz/failures", input, api.ScopeRead, 200},
		{"POST", "/v1/data/gatehouse/lookup", input, api.ScopeRead, 200},
		{"POST", "/v1/data/gatehouse/lookup/_held_permissions", input, api.ScopeRead, 200},
		{"GET", "/v1/data/gatehouse/grants", "", api.ScopeRead, 200},
		{"GET", "/v1/data/custom", "", api.ScopeRead, 200},
		{"GET", "/v1/data/custom/scoped", "", api.ScopeRead, 200},
		{"GET", "/v1/data/custom/scoped/dump", "", api.ScopeRead, 200},
	}
	for _, c := range []string{model.Roles, model.Records, model.Groups, model.Memberships, model.Extensions, model.Installations, model.Tenants, model.Policies} {
		write := api.ScopeWrite
		if c == model.Policies {
			write = api.ScopeAdmin
		}
		cases = append(cases,
			scopeCase{"GET", "/v1/" + c, "", api.ScopeRead, 200},
			scopeCase{"GET", "/v1/" + c + "/no-such-doc", "", api.ScopeRead, 404},
			scopeCase{"PUT", "/v1/" + c + "/scoped-doc", `{"noSuchField": 1}`, write, 422},
			scopeCase{"POST", "/v1/" + c, `{"noSuchField": 1}`, write, 422},
			scopeCase{"DELETE", "/v1/" + c + "/no-such-doc", "", write, 404},
		)
	}
	return cases
}

// dataEntrypoint marks Data API paths a decide key may query (read may too).
const dataEntrypoint = "decide-entrypoint"

// admits says whether a key with scope may use a route that needs need.
func admits(scope, need string) bool {
	switch {
	case need == "" || scope == api.ScopeAdmin:
		return true
	case need == dataEntrypoint:
		return scope == api.ScopeDecide || scope == api.ScopeRead
	}
	return scope == need
}

func TestScopeMatrix(t *testing.T) {
	snap := testkit.DemoSnapshot(t)
	snap.Policies = append(snap.Policies, model.Policy{Meta: model.Meta{ID: "scoped"}, Source: customEntrypoints})
	_, uri := testkit.StoreWith(t, snap)
	keys := map[string]string{}
	var cfgKeys []api.Key
	for _, s := range api.Scopes {
		keys[s] = "key-for-" + s + "-0123456789"
		cfgKeys = append(cfgKeys, api.Key{Name: s, Secret: keys[s], Scopes: []string{s}})
	}
	g := testkit.StartOn(t, uri, func(c *server.Config) { c.Keys = cfgKeys })

	callers := append([]string{"no key", "bad key"}, api.Scopes...)
	for _, sc := range scopeCases() {
		for _, caller := range callers {
			want := sc.ok
			switch {
			case sc.need == "":
			case caller == "no key" || caller == "bad key":
				want = http.StatusUnauthorized
			case !admits(caller, sc.need):
				want = http.StatusForbidden
			}
			headers := map[string]string{}
			switch caller {
			case "no key":
			case "bad key":
				headers["Authorization"] = "Bearer not-a-configured-key-000"
			default:
				headers["Authorization"] = "Bearer " + keys[caller]
			}
			var body any
			if sc.body != "" {
				body = sc.body
			}
			code, raw := g.DoWith(sc.method, sc.path, body, headers)
			if code != want {
				t.Errorf("%-7s %s %s: status %d, want %d; body %.200s", caller, sc.method, sc.path, code, want, raw)
			}
			if code == http.StatusForbidden && strings.Contains(string(raw), `"result"`) {
				t.Errorf("%s %s %s: a refusal carries a result", caller, sc.method, sc.path)
			}
		}
	}
	t.Log(fmt.Sprintf("%d routes × %d callers", len(scopeCases()), len(callers)))
}
