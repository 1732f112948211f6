package apps

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// appsSnapshot: tenants t1 and t2 on stack s1, and a role ops that lets
// ops-ann onboard apps to t1 only.
func appsSnapshot() *model.Snapshot {
	return &model.Snapshot{
		Tenants: []model.Tenant{{Meta: model.Meta{ID: "t1"}, Name: "One", StackID: "s1"}, {Meta: model.Meta{ID: "t2"}, Name: "Two", StackID: "s1"}},
		Roles:   []model.Role{{Meta: model.Meta{ID: "ops"}, Name: "Ops", Permissions: []model.Permission{{Action: "apps:onboard"}}}},
		Records: []model.Record{{Meta: model.Meta{ID: "ops-t1"}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "ops-ann"}},
			Statements: []model.Statement{{Roles: []string{"ops"}, Resources: []model.ResourceRef{{ResourceURI: "tenants/t1"}}}}}},
	}
}

func readManifest(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../engine/apps/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestAppsEndToEnd walks SPEC section 6 over HTTP on the embedded store:
// upload (YAML and JSON), onboard a stack, per-tenant groups, a second
// server seeing the onboarding, re-onboarding and offboarding.
func TestAppsEndToEnd(t *testing.T) {
	_, uri := testkit.StoreWith(t, appsSnapshot())
	a, b := testkit.StartOn(t, uri), testkit.StartOn(t, uri)

	code, body := a.DoWith(http.MethodPut, "/v1/apps/platform:participants/versions/1", readManifest(t, "participants.yaml"), map[string]string{"Content-Type": "application/yaml"})
	if code != http.StatusCreated {
		t.Fatalf("put YAML manifest: %d %s", code, body)
	}
	a.JSON(http.MethodPut, "/v1/apps/platform:directory/versions/1", readManifest(t, "directory.json"), http.StatusCreated, nil)
	var listed struct{ Versions []model.AppVersion }
	a.JSON(http.MethodGet, "/v1/apps/platform:participants/versions", nil, http.StatusOK, &listed)
	if len(listed.Versions) != 1 || listed.Versions[0].Manifest.Resources[0].Name != "participants" {
		t.Fatalf("versions %+v", listed.Versions)
	}

	// participants requires directory: onboarding it first is a conflict
	if code, body := a.Do(http.MethodPost, "/v1/apps/platform:participants/onboard", map[string]string{"versionId": "1", "tenantId": "t1"}); code != http.StatusConflict {
		t.Fatalf("onboard before its required app: %d %s", code, body)
	}
	a.JSON(http.MethodPost, "/v1/apps/platform:directory/onboard", map[string]string{"versionId": "1", "stackId": "s1"}, http.StatusOK, nil)
	var answer struct {
		Tenants []struct {
			TenantID string
			Roles    []string
			Groups   []struct{ ID, Name string }
		}
	}
	a.JSON(http.MethodPost, "/v1/apps/platform:participants/onboard", map[string]string{"versionId": "1", "stackId": "s1"}, http.StatusOK, &answer)
	if len(answer.Tenants) != 2 || answer.Tenants[0].Groups[0].ID != "tenants/t1/apps/platform:participants/groups/participants-admins" {
		t.Fatalf("answer %+v", answer)
	}

	// u1 joins t1's admins group: allowed in t1, nothing in t2, on both servers
	group := answer.Tenants[0].Groups[0].ID
	var g model.Group
	a.JSON(http.MethodGet, "/v1/groups/"+url.PathEscape(group), nil, http.StatusOK, &g)
	g.Users = []model.UserRef{{UserID: "u1"}}
	a.JSON(http.MethodPut, "/v1/groups/"+url.PathEscape(group), g, http.StatusOK, nil)
	check := func(gt *testkit.Gate, tenant string) bool {
		var d engine.Decision
		gt.JSON(http.MethodPost, "/v1/authorize", map[string]string{"user": "u1", "resource": "tenants/" + tenant + "/apps/platform:participants/p1", "permission": "participants.read"}, http.StatusOK, &d)
		return d.Allowed
	}
	if !check(a, "t1") || check(a, "t2") {
		t.Fatal("a user in t1's group must hold the role in t1 and nothing in t2")
	}
	testkit.Until(t, 10*time.Second, "server b follows", func() bool { return check(b, "t1") })
	if check(b, "t2") {
		t.Fatal("server b: t2 granted through t1's group")
	}

	// documents onboarding owns are not writable through the generic API
	if code, _ := a.Do(http.MethodDelete, "/v1/roles/"+url.PathEscape("platform:participants/participants-viewer"), nil); code != http.StatusForbidden {
		t.Errorf("deleting an app role: %d, want 403", code)
	}

	// offboarding participants from t1 removes its group; t2 keeps its own
	if code, body := a.Do(http.MethodDelete, "/v1/apps/platform:participants/onboardings/t1", nil); code != http.StatusNoContent {
		t.Fatalf("offboard: %d %s", code, body)
	}
	if code, _ := a.Do(http.MethodGet, "/v1/groups/"+url.PathEscape(group), nil); code != http.StatusNotFound {
		t.Errorf("t1's group after offboarding: %d, want 404", code)
	}
	if check(a, "t1") {
		t.Error("u1 still allowed in t1 after offboarding")
	}
	testkit.Until(t, 10*time.Second, "server b follows", func() bool { return !check(b, "t1") })
	if code, _ := a.Do(http.MethodGet, "/v1/groups/"+url.PathEscape(strings.Replace(group, "t1", "t2", 1)), nil); code != http.StatusOK {
		t.Errorf("t2's group after offboarding t1: %d, want 200", code)
	}
}

// TestAppsOnBehalfOfUser: onboarding on behalf of a user needs apps:onboard
// on each tenant.
func TestAppsOnBehalfOfUser(t *testing.T) {
	_, uri := testkit.StoreWith(t, appsSnapshot())
	a := testkit.StartOn(t, uri)
	a.JSON(http.MethodPut, "/v1/apps/platform:directory/versions/1", readManifest(t, "directory.json"), http.StatusCreated, nil)
	as := func(user, tenant string) int {
		code, _ := a.DoWith(http.MethodPost, "/v1/apps/platform:directory/onboard", map[string]string{"versionId": "1", "tenantId": tenant}, map[string]string{"X-Gatehouse-User": user})
		return code
	}
	if code := as("ops-ann", "t2"); code != http.StatusForbidden {
		t.Errorf("ops-ann onboarding to t2: %d, want 403", code)
	}
	if code := as("ops-ann", "t1"); code != http.StatusOK {
		t.Errorf("ops-ann onboarding to t1: %d, want 200", code)
	}
}

// TestAppsManifestValidationOverHTTP: every problem listed at once, 422.
func TestAppsManifestValidationOverHTTP(t *testing.T) {
	a := testkit.Start(t, appsSnapshot())
	bad := `{"appId": "platform:x", "resources": [{"name": "r", "resourcePath": "^/x(", "allowedHttpMethods": ["GET", "BREW"],
		"permissions": [{"action": "x.read", "httpMethod": "POST"}]}], "roles": [{"roleName": "v", "permissions": ["x.nope"]}],
		"rolesRequired": ["unqualified"]}`
	code, body := a.Do(http.MethodPut, "/v1/apps/platform:x/versions/1", bad)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d: %s", code, body)
	}
	for _, field := range []string{"resourcePath", "allowedHttpMethods[1]", "permissions[0].httpMethod", "roles[0].permissions[0]", "rolesRequired[0]"} {
		if !strings.Contains(string(body), field) {
			t.Errorf("no problem for %s in %s", field, body)
		}
	}
	if code, body := a.Do(http.MethodPut, "/v1/apps/platform:x/versions/1", `{"appId": "platform:x", "appId": "platform:y"}`); code != http.StatusBadRequest {
		t.Errorf("duplicate key: %d %s", code, body)
	}
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/apps/Not-An-App/versions", ""},
		{http.MethodPost, "/v1/apps/Not-An-App/onboard", `{"versionId": "1", "tenantId": "t1"}`},
		{http.MethodPost, "/v1/apps/platform:x/onboard", `{"versionId": "1", "tenantId": "t1/x"}`},
		{http.MethodPost, "/v1/apps/platform:x/onboard", `{"versionId": null, "tenantId": "t1"}`},
		{http.MethodDelete, "/v1/apps/Not-An-App/onboardings/t1", ""},
	} {
		var body any
		if r.body != "" {
			body = r.body
		}
		if code, raw := a.Do(r.method, r.path, body); code != http.StatusUnprocessableEntity {
			t.Errorf("%s %s %s: %d %s, want 422", r.method, r.path, r.body, code, raw)
		}
	}
}
