package routes

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// routedSnapshot is SPEC section 6's participants app onboarded to t1,
// with ann holding participants-viewer there and bob nothing.
func routedSnapshot() *model.Snapshot {
	m := &model.Manifest{AppID: "platform:participants", Resources: []model.AppResource{{
		Name: "participants", ResourcePath: `^/v1/participants(/[^/]+)?$`, AllowedHTTPMethods: []string{"GET", "POST", "DELETE"},
		Permissions: []model.RoutePermission{{Action: "participants.read", HTTPMethod: "GET"}, {Action: "participants.write", HTTPMethod: "POST"}},
	}}}
	return &model.Snapshot{
		Tenants: []model.Tenant{{Meta: model.Meta{ID: "t1"}, Name: "one"}, {Meta: model.Meta{ID: "t2"}, Name: "two"}},
		Apps:    []model.AppVersion{*model.NewAppVersion(m.AppID, "1.0.0", m)},
		Onboardings: []model.Onboarding{{Meta: model.Meta{ID: model.OnboardingID("t1", m.AppID)},
			AppID: m.AppID, VersionID: "1.0.0", TenantID: "t1"}},
		Roles: []model.Role{{Meta: model.Meta{ID: "platform:participants/participants-viewer"}, Name: "viewer",
			Permissions: []model.Permission{{Action: "participants.read"}}}},
		Records: []model.Record{{Meta: model.Meta{ID: "ann-views"}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "ann"}},
			Statements: []model.Statement{{Roles: []string{"platform:participants/participants-viewer"},
				Resources: []model.ResourceRef{{ResourceURI: model.TenantAppURI("t1", m.AppID)}}}}}},
	}
}

// routeAnswer is the body of POST /v1/authorize/http.
type routeAnswer struct {
	Allowed    bool             `json:"allowed"`
	DecisionID string           `json:"decision_id"`
	DeniedBy   *string          `json:"denied_by"`
	Reasons    []map[string]any `json:"reasons"`
	Route      *struct {
		App, Resource, Permission string
	} `json:"route"`
}

func TestAuthorizeHTTP(t *testing.T) {
	g := testkit.Start(t, routedSnapshot())
	route := `{"App":"platform:participants","Resource":"participants","Permission":"participants.read"}`
	tests := []struct {
		name     string
		body     string
		allowed  bool
		deniedBy string // "" when allowed
		route    string // JSON of the route; "" for null
	}{
		{"allowed", `{"tenant": "t1", "method": "GET", "path": "/v1/participants/p1", "user": "ann"}`, true, "", route},
		{"denied by the user, with the route", `{"tenant": "t1", "method": "GET", "path": "/v1/participants", "user": "bob"}`, false, "user", route},
		{"write not held", `{"tenant": "t1", "method": "POST", "path": "/v1/participants", "user": "ann"}`, false, "user",
			`{"App":"platform:participants","Resource":"participants","Permission":"participants.write"}`},
		{"allowed method without permission", `{"tenant": "t1", "method": "DELETE", "path": "/v1/participants/p1", "user": "ann"}`, false, "no_route", ""},
		{"no matching path", `{"tenant": "t1", "method": "GET", "path": "/v2/participants", "user": "ann"}`, false, "no_route", ""},
		{"tenant without the app", `{"tenant": "t2", "method": "GET", "path": "/v1/participants", "user": "ann"}`, false, "no_route", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got routeAnswer
			g.JSON(http.MethodPost, "/v1/authorize/http", tt.body, http.StatusOK, &got)
			gotRoute := ""
			if got.Route != nil {
				raw, _ := json.Marshal(got.Route)
				gotRoute = string(raw)
			}
			deniedBy := ""
			if got.DeniedBy != nil {
				deniedBy = *got.DeniedBy
			}
			if got.Allowed != tt.allowed || deniedBy != tt.deniedBy || gotRoute != tt.route || got.DecisionID == "" || got.Reasons == nil {
				t.Errorf("got %+v route %s, want allowed %v denied_by %q route %s", got, gotRoute, tt.allowed, tt.deniedBy, tt.route)
			}
		})
	}
}

func TestAuthorizeHTTPRefusesBadInput(t *testing.T) {
	g := testkit.Start(t, routedSnapshot())
	tests := []struct {
		name   string
		body   string
		status int
		fields []string // the fields the 422 lists
	}{
		{"no subject", `{"tenant": "t1", "method": "GET", "path": "/v1/participants"}`, 422, []string{"user"}},
		{"both subjects", `{"tenant": "t1", "method": "GET", "path": "/v1/participants", "user": "ann", "app": "platform:zeta"}`, 422, []string{"user"}},
		{"blank user", `{"tenant": "t1", "method": "GET", "path": "/v1/participants", "user": " "}`, 422, []string{"user"}},
		{"null user", `{"tenant": "t1", "method": "GET", "path": "/v1/participants", "user": null}`, 422, []string{"user"}},
		{"everything missing", `{}`, 422, []string{"user", "tenant", "method", "path"}},
		{"wrong types", `{"tenant": 1, "method": "GET", "path": "/v1/participants", "user": "ann"}`, 422, []string{"tenant"}},
		{"unknown field", `{"tenant": "t1", "method": "GET", "path": "/v1/participants", "user": "ann", "resource": "x"}`, 422, []string{"resource"}},
		{"tenant not one segment", `{"tenant": "t1/x", "method": "GET", "path": "/v1/participants", "user": "ann"}`, 422, []string{"tenant"}},
		{"lower-case method", `{"tenant": "t1", "method": "get", "path": "/v1/participants", "user": "ann"}`, 422, []string{"method"}},
		{"unknown method", `{"tenant": "t1", "method": "PROPFIND", "path": "/v1/participants", "user": "ann"}`, 422, []string{"method"}},
		{"relative path", `{"tenant": "t1", "method": "GET", "path": "v1/participants", "user": "ann"}`, 422, []string{"path"}},
		{"query in path", `{"tenant": "t1", "method": "GET", "path": "/v1/participants?x=1", "user": "ann"}`, 422, []string{"path"}},
		{"dot segment", `{"tenant": "t1", "method": "GET", "path": "/v1/%2e%2e/participants", "user": "ann"}`, 422, []string{"path"}},
		{"malformed", `{"tenant": "t1",`, 400, nil},
		{"duplicate key", `{"tenant": "t1", "tenant": "t2", "method": "GET", "path": "/", "user": "ann"}`, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, raw := g.Do(http.MethodPost, "/v1/authorize/http", tt.body)
			if code != tt.status {
				t.Fatalf("status %d, want %d; body %s", code, tt.status, raw)
			}
			var body api.ErrorBody
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatal(err)
			}
			var fields []string
			for _, p := range body.Errors {
				fields = append(fields, p.Field)
			}
			if tt.fields != nil && !cmp.Equal(tt.fields, fields) {
				t.Errorf("fields %v, want %v; body %s", fields, tt.fields, raw)
			}
		})
	}
}

// TestAuthorizeHTTPForApps decides for an app as the principal: the
// directory app holds participants-viewer on the participants app in t1
// through its onboarding's grants.
func TestAuthorizeHTTPForApps(t *testing.T) {
	snap := routedSnapshot()
	dir := &model.Manifest{AppID: "platform:directory"}
	snap.Apps = append(snap.Apps, *model.NewAppVersion(dir.AppID, "1", dir))
	snap.Onboardings = append(snap.Onboardings, model.Onboarding{
		Meta: model.Meta{ID: model.OnboardingID("t1", dir.AppID)}, AppID: dir.AppID, VersionID: "1", TenantID: "t1",
		Grants: []model.AppGrant{{Role: "platform:participants/participants-viewer", ResourceURI: model.TenantAppURI("t1", "platform:participants")}},
	})
	g := testkit.Start(t, snap)
	tests := []struct {
		name, body, deniedBy string // deniedBy "" when allowed
	}{
		{"allowed through the onboarding's grants", `{"tenant": "t1", "method": "GET", "path": "/v1/participants", "app": "platform:directory"}`, ""},
		{"write not held", `{"tenant": "t1", "method": "POST", "path": "/v1/participants", "app": "platform:directory"}`, "app"},
		{"app not onboarded", `{"tenant": "t1", "method": "GET", "path": "/v1/participants", "app": "platform:other"}`, "app"},
		{"no route", `{"tenant": "t1", "method": "GET", "path": "/v2", "app": "platform:directory"}`, "no_route"},
	}
	for _, tt := range tests {
		var got routeAnswer
		g.JSON(http.MethodPost, "/v1/authorize/http", tt.body, http.StatusOK, &got)
		deniedBy := ""
		if got.DeniedBy != nil {
			deniedBy = *got.DeniedBy
		}
		if deniedBy != tt.deniedBy || got.Allowed != (tt.deniedBy == "") || (tt.deniedBy != "no_route") != (got.Route != nil) {
			t.Errorf("%s: %+v, want denied_by %q", tt.name, got, tt.deniedBy)
		}
		if got.Allowed && (len(got.Reasons) != 1 || got.Reasons[0]["kind"] != "onboarding" || got.Reasons[0]["id"] != "t1/platform:directory") {
			t.Errorf("%s: reasons %v", tt.name, got.Reasons)
		}
	}
}

// TestAuthorizeHTTPScopes admits decide (and admin) keys only.
func TestAuthorizeHTTPScopes(t *testing.T) {
	_, uri := testkit.StoreWith(t, routedSnapshot())
	var keys []api.Key
	for _, s := range api.Scopes {
		keys = append(keys, api.Key{Name: s, Secret: "key-for-" + s + "-0123456789", Scopes: []string{s}})
	}
	g := testkit.StartOn(t, uri, func(c *server.Config) { c.Keys = keys })
	body := `{"tenant": "t1", "method": "GET", "path": "/v1/participants", "user": "ann"}`
	for _, caller := range append([]string{"no key"}, api.Scopes...) {
		want := http.StatusForbidden
		headers := map[string]string{"Authorization": "Bearer key-for-" + caller + "-0123456789"}
		switch caller {
		case "no key":
			want, headers = http.StatusUnauthorized, nil
		case api.ScopeDecide, api.ScopeAdmin:
			want = http.StatusOK
		}
		if code, raw := g.DoWith(http.MethodPost, "/v1/authorize/http", body, headers); code != want {
			t.Errorf("%s: status %d, want %d; body %s", caller, code, want, raw)
		}
	}
}

// routeView is what must be equal on gatehouse and a sidecar.
type routeView struct {
	Allowed  bool              `json:"allowed"`
	DeniedBy *string           `json:"denied_by"`
	Reasons  []map[string]any  `json:"reasons"`
	Route    map[string]string `json:"route"`
}

// TestSidecarRoutesMatchGatehouse evaluates data.gatehouse.routes.decision
// on stock OPA sidecars, one with the whole bundle and one with a
// tenant's, against POST /v1/authorize/http.
func TestSidecarRoutesMatchGatehouse(t *testing.T) {
	shape := datagen.Routes{Tenants: 3, Apps: 10, RoutesPerApp: 5, Users: 8, Varied: true}
	_, uri := testkit.StoreWith(t, datagen.RoutedSnapshot(shape, 21))
	g := testkit.StartOn(t, uri)
	whole := testkit.StartSidecar(t, g.Base, testkit.SidecarOptions{Resource: "/v1/bundles/gatehouse"})
	tenant := testkit.StartSidecar(t, g.Base, testkit.SidecarOptions{Resource: "/v1/bundles/tenants/" + datagen.RouteTenant(1)})
	testkit.Until(t, 60*time.Second, "sidecars activate their bundles", func() bool { return whole.Healthy() && tenant.Healthy() })

	allowed, noRoute, onTenant := 0, 0, 0
	queries := datagen.RouteQueries(shape, 500, 9)
	for i, q := range queries {
		in := map[string]string{"tenant": q.Tenant, "method": q.Method, "path": q.Path, "user": q.User}
		if i%5 == 0 { // an app as the principal
			delete(in, "user")
			in["app"] = datagen.RouteApp(i % shape.Apps)
		}
		var want routeView
		g.JSON(http.MethodPost, "/v1/authorize/http", in, http.StatusOK, &want)
		sidecars := map[string]*testkit.Sidecar{"whole bundle": whole}
		if q.Tenant == datagen.RouteTenant(1) {
			sidecars["tenant bundle"] = tenant
			onTenant++
		}
		for name, s := range sidecars {
			got := routeDecision(s, in)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("check %d %v: gatehouse vs sidecar with the %s (-gatehouse +sidecar):\n%s", i, in, name, diff)
			}
		}
		if want.Allowed {
			allowed++
		}
		if want.Route == nil {
			noRoute++
		}
	}
	t.Logf("%d route checks equal (%d on the tenant's bundle too): %d allowed, %d without a route", len(queries), onTenant, allowed, noRoute)
	if allowed == 0 || noRoute == 0 || onTenant == 0 {
		t.Fatal("degenerate check set")
	}
	// An invalid input is invalid_input on the sidecar, 422 on gatehouse.
	got := routeDecision(whole, map[string]string{"tenant": "t1", "method": "get", "path": "/", "user": "u1"})
	if got.DeniedBy == nil || *got.DeniedBy != "invalid_input" || got.Route != nil {
		t.Errorf("invalid input on the sidecar: %+v", got)
	}
}

// routeDecision asks a sidecar for data.gatehouse.routes.decision.
func routeDecision(s *testkit.Sidecar, input map[string]string) routeView {
	var out struct{ Result routeView }
	s.Query("/v1/data/gatehouse/routes/decision", input, &out)
	return out.Result
}
