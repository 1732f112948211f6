package datagen

import (
	"fmt"
	"math/rand/v2"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Routes shapes a generated set of apps onboarded to tenants.
type Routes struct {
	Tenants, Apps, RoutesPerApp, Users int
	// Varied mixes overlapping, unanchored, case-insensitive and inactive
	// routes, inactive permissions, two versions per app and tenants
	// onboarding a subset of the apps; without it every route is
	// ^/v1/a{i}/r{j}(/[^/]+)?$ with GET and POST, and every tenant
	// onboards every app (the benchmark's shape).
	Varied bool
}

// RouteApp is the id of generated app i.
func RouteApp(i int) string { return fmt.Sprintf("gen:a%d", i) }

// RouteTenant is the id of generated tenant i.
func RouteTenant(i int) string { return fmt.Sprintf("t%d", i) }

// RoutedSnapshot returns apps, their versions onboarded to tenants, and
// users holding roles on some apps of some tenants: the same for the
// same shape and seed.
func RoutedSnapshot(shape Routes, seed uint64) *model.Snapshot {
	r := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	s := &model.Snapshot{Roles: []model.Role{
		{Meta: model.Meta{ID: "route-reader"}, Name: "reader", Permissions: []model.Permission{{Action: "*:read"}}},
		{Meta: model.Meta{ID: "route-admin"}, Name: "admin", Permissions: []model.Permission{{Action: "*"}}},
	}}
	versions := []string{"1"}
	if shape.Varied {
		versions = append(versions, "2")
	}
	for i := range shape.Apps {
		for _, v := range versions {
			m := &model.Manifest{AppID: RouteApp(i)}
			for j := range shape.RoutesPerApp {
				m.Resources = append(m.Resources, routeResource(r, shape, i, j))
			}
			s.Apps = append(s.Apps, *model.NewAppVersion(RouteApp(i), v, m))
		}
	}
	for t := range shape.Tenants {
		tenant := RouteTenant(t)
		s.Tenants = append(s.Tenants, model.Tenant{Meta: model.Meta{ID: tenant}, Name: tenant})
		for i := range shape.Apps {
			if shape.Varied && r.IntN(3) == 0 {
				continue
			}
			o := model.Onboarding{Meta: model.Meta{ID: model.OnboardingID(tenant, RouteApp(i))}, AppID: RouteApp(i), TenantID: tenant, VersionID: versions[r.IntN(len(versions))]}
			if shape.Varied { // the roles the app holds as a principal there
				role := []string{"route-reader", "route-admin"}[r.IntN(2)]
				o.Grants = []model.AppGrant{{Role: role, ResourceURI: model.TenantAppURI(tenant, RouteApp(r.IntN(shape.Apps)))}}
			}
			s.Onboardings = append(s.Onboardings, o)
		}
	}
	for u := range shape.Users {
		rec := model.Record{Meta: model.Meta{ID: fmt.Sprintf("route-rec%d", u)}, Status: model.StatusActive, Users: []model.UserRef{{UserID: User(u)}}}
		for range 6 {
			tenant := RouteTenant(r.IntN(max(shape.Tenants, 1)))
			uri := model.TenantAppURI(tenant, RouteApp(r.IntN(max(shape.Apps, 1))))
			if r.IntN(2) == 0 {
				uri = "tenants/" + tenant + "/apps/*"
			}
			role := []string{"route-reader", "route-admin"}[r.IntN(2)]
			rec.Statements = append(rec.Statements, model.Statement{Roles: []string{role}, Resources: []model.ResourceRef{{ResourceURI: uri}}})
		}
		s.Records = append(s.Records, rec)
	}
	return s
}

var routeMethods = []string{"GET", "POST", "DELETE", "PATCH"}

// routeResource is resource j of app i.
func routeResource(r *rand.Rand, shape Routes, i, j int) model.AppResource {
	name := fmt.Sprintf("r%d", j)
	res := model.AppResource{Name: name, ResourcePath: fmt.Sprintf(`^/v1/a%d/r%d(/[^/]+)?$`, i, j)}
	if !shape.Varied {
		res.AllowedHTTPMethods = []string{"GET", "POST"}
		res.Permissions = []model.RoutePermission{
			{Action: fmt.Sprintf("a%d.r%d:read", i, j), HTTPMethod: "GET"},
			{Action: fmt.Sprintf("a%d.r%d:write", i, j), HTTPMethod: "POST"},
		}
		return res
	}
	switch r.IntN(10) {
	case 6:
		res.ResourcePath = fmt.Sprintf(`^/v1/a%d/`, i)
	case 7:
		res.ResourcePath = fmt.Sprintf(`^/v1/a%d/r%d$`, (i+1)%shape.Apps, j)
	case 8:
		res.ResourcePath = fmt.Sprintf(`r%d/special$`, j)
	case 9:
		res.ResourcePath = fmt.Sprintf(`(?i)^/V1/A%d/R%d$`, i, j)
	}
	no := false
	if r.IntN(10) == 0 {
		res.IsActive = &no
	}
	for _, m := range routeMethods {
		if r.IntN(2) == 0 {
			continue
		}
		res.AllowedHTTPMethods = append(res.AllowedHTTPMethods, m)
		if r.IntN(4) == 0 {
			continue
		}
		verb := map[string]string{"GET": "read", "POST": "write", "DELETE": "delete", "PATCH": "write"}[m]
		p := model.RoutePermission{Action: fmt.Sprintf("a%d.r%d:%s", i, j, verb), HTTPMethod: m}
		if r.IntN(6) == 0 {
			p.IsActive = &no
		}
		res.Permissions = append(res.Permissions, p)
	}
	if len(res.AllowedHTTPMethods) == 0 {
		res.AllowedHTTPMethods = []string{"GET"}
	}
	return res
}

// HTTPQuery is one generated route decision question.
type HTTPQuery struct {
	Tenant, Method, Path, User string
}

// RouteQueries returns n questions on a RoutedSnapshot of the shape: paths
// that match routes, their neighbours and paths matching none, with every
// HTTP method and a few methods that are none.
func RouteQueries(shape Routes, n int, seed uint64) []HTTPQuery {
	r := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	methods := append(append([]string{}, routeMethods...), "GET", "GET", "HEAD", "OPTIONS")
	if shape.Varied {
		methods = append(methods, "PUT", "TRACE", "CONNECT")
	}
	out := make([]HTTPQuery, n)
	for k := range out {
		i, j := r.IntN(max(shape.Apps, 1)), r.IntN(max(shape.RoutesPerApp, 1))
		base := fmt.Sprintf("/v1/a%d/r%d", i, j)
		path := base
		if shape.Varied {
			path = []string{
				base, base, base + "/x1", base + "/x1/y", fmt.Sprintf("/V1/A%d/R%d", i, j), base + "/special",
				fmt.Sprintf("/v1/a%d/", i), "/nope", "/", base + "/",
			}[r.IntN(10)]
		}
		out[k] = HTTPQuery{
			Tenant: RouteTenant(r.IntN(max(shape.Tenants, 1))), Method: methods[r.IntN(len(methods))],
			Path: path, User: User(r.IntN(max(shape.Users, 1))),
		}
	}
	return out
}
