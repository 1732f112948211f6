package apps

import (
	"fmt"
	"github.com/gatehouse/gatehouse/engine/model"
	"regexp"
	"strings"
	"testing"
)

func TestLiteralPrefix(t *testing.T) {
	for pattern, want := range map[string]string{
		`^/v1/participants(/[^/]+)?$`: "/v1/participants",
		`\A/v1/x`:                     "/v1/x",
		`^(/v1)(/x)/y`:                "/v1/x/y",
		`^/v1/(?:a|b)`:                "/v1/",
		`^/v1/a+`:                     "/v1/",
		`^/v1/a?`:                     "/v1/",
		`^/v1/(a)?`:                   "/v1/",
		`(?i)^/v1`:                    "",
		`^/v1/(?i)x`:                  "/v1/",
		`(?m)^/v1`:                    "",
		`/v1/x`:                       "",
		`^/a$|^/b$`:                   "",
		`^/héllo/`:                    "/héllo/",
		`^$`:                          "",
		`^`:                           "",
		`(`:                           "",
	} {
		if got := literalPrefix(pattern); got != want {
			t.Errorf("literalPrefix(%q) = %q, want %q", pattern, got, want)
		}
	}
}

func TestRadix(t *testing.T) {
	var tree radix
	prefixes := []string{"/v1/participants", "/v1/p", "/v1/participants/x", "", "/v2", "/v1/pa", "/v1/participants"}
	for i, p := range prefixes {
		tree.insert(p, int32(i))
	}
	for path, want := range map[string]string{
		"/v1/participants/x/y": "[3 1 5 0 6 2]",
		"/v1/pb":               "[3 1]",
		"/v2":                  "[3 4]",
		"/":                    "[3]",
		"/v1/participant":      "[3 1 5]",
	} {
		if got := fmt.Sprint(tree.lookup(path, nil)); got != want {
			t.Errorf("lookup(%q) = %s, want %s", path, got, want)
		}
	}
}

// FuzzRoute holds Match (indexed) to scan (every route in order) for
// every pattern, method and path: a fuzzed resourcePath joins a fixed set
// of overlapping, unanchored and case-insensitive routes.
func FuzzRoute(f *testing.F) {
	for _, s := range [][3]string{
		{`^/v1/participants(/[^/]+)?$`, "GET", "/v1/participants/p1"},
		{`(?i)^/V1/`, "GET", "/v1/x"},
		{`\A/v1/x|^/v2`, "POST", "/v2/a"},
		{`(?m)^/v1$`, "DELETE", "/v1"},
		{`^/v1/(a|ab)(c|bcd)(d*)$`, "PATCH", "/v1/abcd"},
		{`x`, "GET", "/x/../y"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	base := fuzzManifests()
	f.Fuzz(func(t *testing.T, pattern, method, path string) {
		if len(pattern) > model.MaxRoutePatternBytes || len(path) > 2*model.MaxRoutePatternBytes {
			return // Validate refuses longer patterns; CheckPath longer paths
		}
		if _, err := regexp.Compile(pattern); err != nil {
			return
		}
		extra := &model.Manifest{AppID: "platform:m", Resources: []model.AppResource{{Name: "fuzzed", ResourcePath: pattern,
			AllowedHTTPMethods: []string{"GET", "POST", "PATCH"},
			Permissions:        []model.RoutePermission{{Action: "f.get", HTTPMethod: "GET"}, {Action: "f.post", HTTPMethod: "POST"}}}}}
		m, err := NewMatcher(append(base, extra))
		if err != nil {
			t.Fatal(err)
		}
		got, gotOK, gotErr := m.Match(method, path)
		want, wantOK, wantErr := m.scan(method, path)
		if got != want || gotOK != wantOK || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%s %q with %q: Match = %+v %v %v, scan = %+v %v %v", method, path, pattern, got, gotOK, gotErr, want, wantOK, wantErr)
		}
		if gotErr == nil && strings.Contains(path, "/../") {
			t.Fatalf("accepted a dot segment in %q", path)
		}
		if p := literalPrefix(pattern); !strings.HasPrefix(path, p) && regexp.MustCompile(pattern).MatchString(path) {
			t.Fatalf("%q matches %q but does not start with its prefix %q", pattern, path, p)
		}
	})
}

func fuzzManifests() []*model.Manifest {
	res := func(name, pattern string) model.AppResource {
		return model.AppResource{Name: name, ResourcePath: pattern, AllowedHTTPMethods: []string{"GET", "POST", "DELETE"},
			Permissions: []model.RoutePermission{{Action: name + ".get", HTTPMethod: "GET"}, {Action: name + ".post", HTTPMethod: "POST"}}}
	}
	return []*model.Manifest{
		{AppID: "platform:a", Resources: []model.AppResource{res("one", `^/v1/participants(/[^/]+)?$`), res("two", `^/v1/p`), res("three", `^/v1/`)}},
		{AppID: "platform:z", Resources: []model.AppResource{res("any", `/`), res("ci", `(?i)^/v1/X`), res("alt", `^/v2$|^/v1/y`)}},
	}
}

// routeTable is a tenant of apps × routes each, the routes of app a being
// ^/api/app{a}/v1/res{r}(/[^/]+)?$ with GET and POST.
func routeTable(b *testing.B, apps, routes int) *Matcher {
	b.Helper()
	var ms []*model.Manifest
	for a := range apps {
		m := &model.Manifest{AppID: fmt.Sprintf("platform:app%03d", a)}
		for r := range routes {
			m.Resources = append(m.Resources, model.AppResource{
				Name:               fmt.Sprintf("res%02d", r),
				ResourcePath:       fmt.Sprintf(`^/api/app%03d/v1/res%02d(/[^/]+)?$`, a, r),
				AllowedHTTPMethods: []string{"GET", "POST"},
				Permissions:        []model.RoutePermission{{Action: "read", HTTPMethod: "GET"}, {Action: "write", HTTPMethod: "POST"}},
			})
		}
		ms = append(ms, m)
	}
	m, err := NewMatcher(ms)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkRoute compares the indexed Match with scan, the naive try of
// every regex, at 200 apps × 20 routes (4000 routes) in one tenant.
func BenchmarkRoute(b *testing.B) {
	m := routeTable(b, 200, 20)
	cases := []struct {
		name, path string
		found      bool
	}{
		{"first", "/api/app000/v1/res00/x1", true},
		{"middle", "/api/app100/v1/res10/x1", true},
		{"last", "/api/app199/v1/res19", true},
		{"miss", "/api/app199/v1/res20/x1", false},
	}
	impls := []struct {
		name  string
		match func(method, path string) (Route, bool, error)
	}{{"naive", m.scan}, {"indexed", m.Match}}
	for _, impl := range impls {
		for _, c := range cases {
			b.Run(impl.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, ok, err := impl.match("GET", c.path); ok != c.found || err != nil {
						b.Fatalf("%s: found %v, %v", c.path, ok, err)
					}
				}
			})
		}
	}
}
