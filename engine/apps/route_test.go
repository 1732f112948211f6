package apps_test

import (
	"errors"
	"github.com/gatehouse/gatehouse/engine/model"
	"testing"

	"github.com/gatehouse/gatehouse/engine/apps"
)

// routed is a tenant with the SPEC's participants app, the directory app
// and an app whose routes overlap, are inactive or lack permissions.
func routed(t *testing.T) *apps.Matcher {
	t.Helper()
	no := false
	other := &model.Manifest{AppID: "platform:zeta", Resources: []model.AppResource{
		{Name: "off", ResourcePath: "^/v1/off$", AllowedHTTPMethods: []string{"GET"}, IsActive: &no,
			Permissions: []model.RoutePermission{{Action: "off.read", HTTPMethod: "GET"}}},
		{Name: "inactive-permission", ResourcePath: "^/v1/half$", AllowedHTTPMethods: []string{"GET", "POST"},
			Permissions: []model.RoutePermission{{Action: "half.read", HTTPMethod: "GET"}, {Action: "half.write", HTTPMethod: "POST", IsActive: &no}}},
		{Name: "catch-all", ResourcePath: "^/v1/", AllowedHTTPMethods: []string{"GET", "POST", "PATCH"},
			Permissions: []model.RoutePermission{{Action: "all.read", HTTPMethod: "GET"}, {Action: "all.write", HTTPMethod: "POST"}, {Action: "all.patch", HTTPMethod: "PATCH"}}},
		{Name: "unanchored", ResourcePath: "health", AllowedHTTPMethods: []string{"GET"},
			Permissions: []model.RoutePermission{{Action: "health.read", HTTPMethod: "GET"}}},
		{Name: "case-insensitive", ResourcePath: "(?i)^/Docs/", AllowedHTTPMethods: []string{"GET"},
			Permissions: []model.RoutePermission{{Action: "docs.read", HTTPMethod: "GET"}}},
	}}
	m, err := apps.NewMatcher([]*model.Manifest{other, load(t, "participants.yaml"), load(t, "directory.json")})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMatch(t *testing.T) {
	m := routed(t)
	route := func(app, res, perm string) *apps.Route { return &apps.Route{App: app, Resource: res, Permission: perm} }
	tests := []struct {
		name, method, path string
		want               *apps.Route // nil: no route
	}{
		{"list", "GET", "/v1/participants", route("platform:participants", "participants", "participants.read")},
		{"one", "GET", "/v1/participants/p1", route("platform:participants", "participants", "participants.read")},
		{"create", "POST", "/v1/participants", route("platform:participants", "participants", "participants.write")},
		{"allowed method without a permission decides: no route", "DELETE", "/v1/participants/p1", nil},
		{"method not allowed falls through to a later route", "PATCH", "/v1/participants/p1", route("platform:zeta", "catch-all", "all.patch")},
		{"regex anchored as written: $ holds", "GET", "/v1/participants/p1/x", route("platform:zeta", "catch-all", "all.read")},
		{"earlier app first", "GET", "/v1/directory/entries/e1", route("platform:directory", "entries", "directory.read")},
		{"inactive resource skipped", "GET", "/v1/off", route("platform:zeta", "catch-all", "all.read")},
		{"inactive permission: no route", "POST", "/v1/half", nil},
		{"active permission beside it", "GET", "/v1/half", route("platform:zeta", "inactive-permission", "half.read")},
		{"unanchored regex matches anywhere", "GET", "/x/health/y", route("platform:zeta", "unanchored", "health.read")},
		{"case-insensitive regex", "GET", "/docs/a", route("platform:zeta", "case-insensitive", "docs.read")},
		{"method names are case-sensitive", "get", "/v1/participants", nil},
		{"unknown method", "PROPFIND", "/v1/participants", nil},
		{"no route", "GET", "/v2/participants", nil},
		{"root", "GET", "/", nil},
		{"trailing slash is part of the path", "GET", "/v1/participants/", route("platform:zeta", "catch-all", "all.read")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := m.Match(tt.method, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == nil && ok:
				t.Fatalf("Match(%s %s) = %+v, want no route", tt.method, tt.path, got)
			case tt.want != nil && (!ok || got != *tt.want):
				t.Fatalf("Match(%s %s) = %+v, %v; want %+v", tt.method, tt.path, got, ok, *tt.want)
			}
		})
	}
}

func TestMatchRefusesPaths(t *testing.T) {
	m := routed(t)
	for _, path := range []string{
		"", "v1/participants", "/v1/../v1/participants", "/v1/./participants", "/v1/participants/..",
		"/v1/%2e%2E/participants", "/v1/%2e", "/v1//participants", "/v1/participants\x00", "/v1/\x7f",
		"/v1/participants?x=1", "/v1/participants#f", "/v1/\xff",
	} {
		if r, ok, err := m.Match("GET", path); !errors.Is(err, apps.ErrInvalidPath) {
			t.Errorf("Match(GET %q) = %+v, %v, %v; want ErrInvalidPath", path, r, ok, err)
		}
	}
	for _, path := range []string{"/", "/v1/participants/", "/v1/%2e%2e%2e", "/v1/a.b", "/v1/..."} {
		if err := apps.CheckPath(path); err != nil {
			t.Errorf("CheckPath(%q) = %v, want nil", path, err)
		}
	}
}

func TestNewMatcherSkipsInactive(t *testing.T) {
	no := false
	m, err := apps.NewMatcher([]*model.Manifest{{AppID: "a:b", Resources: []model.AppResource{
		{Name: "x", ResourcePath: "(", IsActive: &no}, // inactive: not even compiled
		{Name: "y", ResourcePath: "^/y$", AllowedHTTPMethods: []string{"GET"}},
	}}})
	if err != nil || m.Len() != 1 {
		t.Fatalf("NewMatcher = %v routes, %v; want 1, nil", m.Len(), err)
	}
	if _, err := apps.NewMatcher([]*model.Manifest{{AppID: "a:b", Resources: []model.AppResource{{Name: "x", ResourcePath: "("}}}}); err == nil {
		t.Fatal("NewMatcher compiled an invalid regex")
	}
}
