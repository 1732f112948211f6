package routes

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

func manifest(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../engine/apps/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestRoutesFollowOnboardingWrites: routes appear with an onboarding made
// through the management API, change with a re-onboarding to a new
// version and go with offboarding, each visible before the write's
// response returns.
func TestRoutesFollowOnboardingWrites(t *testing.T) {
	g := testkit.Start(t, &model.Snapshot{Tenants: []model.Tenant{{Meta: model.Meta{ID: "acme"}, Name: "Acme"}}})
	yaml := map[string]string{"Content-Type": "application/yaml"}
	for _, v := range []struct{ app, version, file string }{
		{"platform:directory", "1", "directory.json"}, {"platform:participants", "1", "participants.yaml"},
	} {
		if code, body := g.DoWith(http.MethodPut, "/v1/apps/"+v.app+"/versions/"+v.version, manifest(t, v.file), yaml); code != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", v.app, code, body)
		}
	}
	path := "/v1/participants/p1"
	deniedBy := func() string {
		t.Helper()
		var got routeAnswer
		g.JSON(http.MethodPost, "/v1/authorize/http", map[string]string{"tenant": "acme", "method": "GET", "path": path, "user": "bob"}, http.StatusOK, &got)
		if got.DeniedBy == nil {
			return ""
		}
		return *got.DeniedBy
	}
	if got := deniedBy(); got != "no_route" {
		t.Fatalf("before onboarding: denied_by %q, want no_route", got)
	}
	g.JSON(http.MethodPost, "/v1/apps/platform:directory/onboard", map[string]string{"versionId": "1", "tenantId": "acme"}, http.StatusOK, nil)
	g.JSON(http.MethodPost, "/v1/apps/platform:participants/onboard", map[string]string{"versionId": "1", "tenantId": "acme"}, http.StatusOK, nil)
	if got := deniedBy(); got != "user" {
		t.Fatalf("onboarded, bob in no group: denied_by %q, want user", got)
	}
	group := url.PathEscape(model.AppGroupID("acme", "platform:participants", "participants-admins"))
	g.JSON(http.MethodPut, "/v1/groups/"+group, map[string]any{"name": "participants-admins", "users": []map[string]string{{"userId": "bob"}}}, http.StatusOK, nil)
	if got := deniedBy(); got != "" {
		t.Fatalf("bob in the group: denied_by %q, want allowed", got)
	}
	v2 := strings.ReplaceAll(string(manifest(t, "participants.yaml")), "^/v1/participants", "^/v2/participants")
	if code, body := g.DoWith(http.MethodPut, "/v1/apps/platform:participants/versions/2", v2, yaml); code != http.StatusCreated {
		t.Fatalf("upload version 2: %d %s", code, body)
	}
	g.JSON(http.MethodPost, "/v1/apps/platform:participants/onboard", map[string]string{"versionId": "2", "tenantId": "acme"}, http.StatusOK, nil)
	if got := deniedBy(); got != "no_route" {
		t.Fatalf("version 2 onboarded, old path: denied_by %q, want no_route", got)
	}
	path = "/v2/participants/p1"
	if got := deniedBy(); got != "" {
		t.Fatalf("version 2 onboarded, new path: denied_by %q, want allowed", got)
	}
	if code, body := g.Do(http.MethodDelete, "/v1/apps/platform:participants/onboardings/acme", nil); code != http.StatusNoContent {
		t.Fatalf("offboard: %d %s", code, body)
	}
	if got := deniedBy(); got != "no_route" {
		t.Fatalf("offboarded: denied_by %q, want no_route", got)
	}
}
