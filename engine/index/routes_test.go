package index

import (
	"time"

	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
)

// routesManifest is an app with one resource per pattern, each answering
// GET with the permission "{resource}.read".
func routesManifest(app string, patterns ...string) *model.Manifest {
	m := &model.Manifest{AppID: app}
	for i, p := range patterns {
		name := string(rune('a' + i))
		m.Resources = append(m.Resources, model.AppResource{
			Name: name, ResourcePath: p, AllowedHTTPMethods: []string{"GET", "DELETE"},
			Permissions: []model.RoutePermission{{Action: name + ".read", HTTPMethod: "GET"}},
		})
	}
	return m
}

func onboarding(tenant, app, version string) model.Onboarding {
	return model.Onboarding{Meta: model.Meta{ID: model.OnboardingID(tenant, app)}, AppID: app, VersionID: version, TenantID: tenant}
}

func appVersion(app, version string, patterns ...string) *model.AppVersion {
	return model.NewAppVersion(app, version, routesManifest(app, patterns...))
}

// routeOf is the view's route for GET path in tenant; "" when none.
func routeOf(t *testing.T, v *View, tenant, path string) string {
	t.Helper()
	r, ok, err := v.Route(tenant, "GET", path)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return ""
	}
	return r.App + " " + r.Resource + " " + r.Permission
}

// TestRoutesFollowOnboardings holds a tenant's Matcher to its
// onboardings and the versions they name through Build and Apply.
func TestRoutesFollowOnboardings(t *testing.T) {
	snap := &model.Snapshot{
		Apps:        []model.AppVersion{*appVersion("p:a", "1", "^/a$"), *appVersion("p:a", "2", "^/a2$"), *appVersion("p:b", "1", "^/b$")},
		Onboardings: []model.Onboarding{onboarding("t1", "p:a", "1"), onboarding("t2", "p:b", "1")},
	}
	ix, v := Build(snap, 1)
	steps := []struct {
		name    string
		changes []Change
		want    map[string]string // "tenant path" → route
	}{
		{"load", nil, map[string]string{"t1 /a": "p:a a a.read", "t1 /b": "", "t2 /b": "p:b a a.read", "t2 /a": "", "t3 /a": ""}},
		{"onboard another app", []Change{{Collection: model.Onboardings, ID: "t1/p:b", Doc: ptr(onboarding("t1", "p:b", "1"))}},
			map[string]string{"t1 /a": "p:a a a.read", "t1 /b": "p:b a a.read", "t2 /b": "p:b a a.read"}},
		{"new version for one tenant", []Change{{Collection: model.Onboardings, ID: "t1/p:a", Doc: ptr(onboarding("t1", "p:a", "2"))}},
			map[string]string{"t1 /a": "", "t1 /a2": "p:a a a.read"}},
		{"version rewritten in place reaches its tenants", []Change{{Collection: model.Apps, ID: "p:b@1", Doc: withMeta(appVersion("p:b", "1", "^/bb$"), 2)}},
			map[string]string{"t1 /b": "", "t1 /bb": "p:b a a.read", "t2 /bb": "p:b a a.read", "t1 /a2": "p:a a a.read"}},
		{"version deleted: its onboardings route nothing", []Change{{Collection: model.Apps, ID: "p:b@1"}},
			map[string]string{"t1 /bb": "", "t2 /bb": "", "t1 /a2": "p:a a a.read"}},
		{"offboarded", []Change{{Collection: model.Onboardings, ID: "t1/p:a"}}, map[string]string{"t1 /a2": ""}},
		{"version back", []Change{{Collection: model.Apps, ID: "p:b@1", Doc: createdAgain(appVersion("p:b", "1", "^/b$"))}},
			map[string]string{"t1 /b": "p:b a a.read", "t2 /b": "p:b a a.read"}},
	}
	for _, st := range steps {
		if st.changes != nil {
			next, _ := ix.Apply(v, st.changes)
			if next == nil {
				t.Fatalf("%s: no change applied", st.name)
			}
			v = next
		}
		for key, want := range st.want {
			var tenant, path string
			for i := range key {
				if key[i] == ' ' {
					tenant, path = key[:i], key[i+1:]
					break
				}
			}
			if got := routeOf(t, v, tenant, path); got != want {
				t.Errorf("%s: %s = %q, want %q", st.name, key, got, want)
			}
		}
		// The rendering follows the Matcher: rebuilt from scratch, the
		// same data renders the same routes.
		if diff := cmp.Diff(rebuilt(t, ix).JSON()["routes"], v.JSON()["routes"]); diff != "" {
			t.Errorf("%s: routes differ from a fresh build (-fresh +applied):\n%s", st.name, diff)
		}
	}
}

// rebuilt builds the view of what ix holds from scratch.
func rebuilt(t *testing.T, ix *Indexer) *View {
	t.Helper()
	snap := &model.Snapshot{}
	for _, d := range ix.docs[model.Apps] {
		snap.Apps = append(snap.Apps, *d.(*model.AppVersion))
	}
	for _, d := range ix.docs[model.Onboardings] {
		snap.Onboardings = append(snap.Onboardings, *d.(*model.Onboarding))
	}
	_, v := Build(snap, 0)
	return v
}

func TestRoutesRendering(t *testing.T) {
	no := false
	m := &model.Manifest{AppID: "p:a", Resources: []model.AppResource{
		{Name: "one", ResourcePath: "^/v1/things/[^/]+$", AllowedHTTPMethods: []string{"GET", "POST"},
			Permissions: []model.RoutePermission{{Action: "things.read", HTTPMethod: "GET"}, {Action: "things.write", HTTPMethod: "POST", IsActive: &no}}},
		{Name: "off", ResourcePath: "^/off$", AllowedHTTPMethods: []string{"GET"}, IsActive: &no},
		{Name: "any", ResourcePath: "health", AllowedHTTPMethods: []string{"GET"}},
	}}
	snap := &model.Snapshot{Apps: []model.AppVersion{*model.NewAppVersion("p:a", "1", m)}, Onboardings: []model.Onboarding{onboarding("t1", "p:a", "1")}}
	_, v := Build(snap, 1)
	want := map[string]any{"t1": map[string]any{
		"routes": []any{
			map[string]any{"app": "p:a", "resource": "one", "pattern": "^/v1/things/[^/]+$", "prefix": "/v1/things/", "methods": map[string]any{"GET": "things.read", "POST": ""}},
			map[string]any{"app": "p:a", "resource": "any", "pattern": "health", "prefix": "", "methods": map[string]any{"GET": ""}},
		},
		"by_prefix": map[string]any{"": []any{json.Number("1")}, "/v1/things/": []any{json.Number("0")}},
	}}
	if diff := cmp.Diff(want, v.JSON()["routes"]); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
}

// TestRoutesSkipBrokenManifest keeps a tenant's other routes when one
// onboarded version holds a regex that does not compile.
func TestRoutesSkipBrokenManifest(t *testing.T) {
	snap := &model.Snapshot{
		Apps:        []model.AppVersion{*appVersion("p:a", "1", "^/a$"), *appVersion("p:b", "1", "^/b($")},
		Onboardings: []model.Onboarding{onboarding("t1", "p:a", "1"), onboarding("t1", "p:b", "1")},
	}
	_, v := Build(snap, 1)
	if got := routeOf(t, v, "t1", "/a"); got != "p:a a a.read" {
		t.Errorf("route = %q", got)
	}
	if _, _, err := v.Route("t1", "GET", "a"); err == nil {
		t.Error("a relative path is refused")
	}
	if _, _, err := v.Route("nobody", "GET", "/../a"); err == nil {
		t.Error("a tenant without routes refuses bad paths too")
	}
}

func ptr[T any](v T) *T { return &v }

func withMeta(v *model.AppVersion, version int64) *model.AppVersion {
	v.Version = version
	return v
}

// createdAgain stamps v as written now, after a delete of the same id.
func createdAgain(v *model.AppVersion) *model.AppVersion {
	v.Version, v.UpdatedAt = 1, time.Now()
	return v
}
