package index

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/apps"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Routes: per tenant, the Matcher over the manifests of the app versions
// onboarded there (SPEC section 6, POST /v1/authorize/http), built when
// the tenant's onboardings or the versions they name change and on Load,
// never per request; and its rendering for Rego at
// data.gatehouse.index.routes[tenant]:
//
//	{"routes": [{"app", "resource", "pattern", "prefix",
//	             "methods": {method: active permission or ""}}, ...],
//	 "by_prefix": {key: [route index, ...]}}
//
// routes lists them in the order apps.Matcher tries them; by_prefix files
// each route under its literal prefix cut after the last "/" ("" for a
// route without one), so gatehouse.routes looks up the path's "/"
// prefixes instead of trying every regex, as the Matcher's radix tree does.

const keyRoutes = "routes"

// tenantRoutes is one tenant's routes, compiled and rendered once.
type tenantRoutes struct {
	matcher *apps.Matcher
	value   ast.Value
}

// Route finds the route of a request among the apps onboarded to tenant
// (apps.Matcher.Match); false when none. It returns an error wrapping
// apps.ErrInvalidPath for a path apps.CheckPath refuses.
func (v *View) Route(tenant, method, path string) (apps.Route, bool, error) {
	r, ok := v.routes.get(tenant)
	if !ok {
		return apps.Route{}, false, apps.CheckPath(path)
	}
	return r.matcher.Match(method, path)
}

// putOnboarding files an onboarding by tenant and by the version it names.
func (ix *Indexer) putOnboarding(o *model.Onboarding) {
	link(ix.tenantOnboardings, o.TenantID, o.ID)
	link(ix.versionTenants, model.AppVersionID(o.AppID, o.VersionID), o.TenantID)
}

// removeOnboarding undoes putOnboarding.
func (ix *Indexer) removeOnboarding(o *model.Onboarding) {
	unlink(ix.tenantOnboardings, o.TenantID, o.ID)
	unlink(ix.versionTenants, model.AppVersionID(o.AppID, o.VersionID), o.TenantID)
}

// noteRoutes marks the tenants whose routes a loaded onboarding or app
// version contributes to.
func (ix *Indexer) noteRoutes(collection, id string, t *touched) {
	switch collection {
	case model.Onboardings:
		if o, ok := ix.docs[collection][id].(*model.Onboarding); ok {
			t.tenants[o.TenantID] = struct{}{}
		}
	case model.Apps:
		for _, tenant := range ix.versionTenants[id] {
			t.tenants[tenant] = struct{}{}
		}
	}
}

// tenantRoutes builds a tenant's routes from the versions onboarded
// there; nil when they have none. An onboarding naming a version that is
// not loaded contributes nothing, and so does a manifest whose regexes do
// not compile (validation refuses it; a document written around the API
// could hold one), so that the rest of the tenant keeps its routes.
func (ix *Indexer) tenantRoutes(tenant string) *tenantRoutes {
	var manifests []*model.Manifest
	for _, id := range ix.tenantOnboardings[tenant] {
		o, ok := ix.docs[model.Onboardings][id].(*model.Onboarding)
		if !ok {
			continue
		}
		v, ok := ix.docs[model.Apps][model.AppVersionID(o.AppID, o.VersionID)].(*model.AppVersion)
		if !ok {
			continue
		}
		m := v.Manifest // routes are the onboarded app's, whatever the manifest says
		m.AppID = o.AppID
		manifests = append(manifests, &m)
	}
	matcher, err := apps.NewMatcher(manifests)
	if err != nil {
		manifests = slices.DeleteFunc(manifests, func(m *model.Manifest) bool {
			_, err := apps.NewMatcher([]*model.Manifest{m})
			return err != nil
		})
		matcher, _ = apps.NewMatcher(manifests)
	}
	if matcher == nil || matcher.Len() == 0 {
		return nil
	}
	return &tenantRoutes{matcher: matcher, value: routesValue(matcher.Specs())}
}

// routesValue renders a tenant's routes (see the comment at the top).
func routesValue(specs []apps.Spec) ast.Value {
	routes := make([]*ast.Term, len(specs))
	byPrefix := map[string][]*ast.Term{}
	for i, s := range specs {
		methods := ast.NewObject()
		for _, method := range model.HTTPMethods {
			if perm, ok := s.Methods[method]; ok {
				methods.Insert(ast.StringTerm(method), ast.StringTerm(perm))
			}
		}
		routes[i] = ast.ObjectTerm(
			ast.Item(ast.InternedTerm("app"), ast.StringTerm(s.App)),
			ast.Item(ast.InternedTerm("resource"), ast.StringTerm(s.Resource)),
			ast.Item(ast.InternedTerm("pattern"), ast.StringTerm(s.Pattern)),
			ast.Item(ast.InternedTerm("prefix"), ast.StringTerm(s.Prefix)),
			ast.Item(ast.InternedTerm("methods"), ast.NewTerm(methods)),
		)
		key := s.Prefix[:strings.LastIndex(s.Prefix, "/")+1]
		byPrefix[key] = append(byPrefix[key], ast.InternedTerm(i))
	}
	filed := ast.NewObject()
	for _, key := range keys(byPrefix) {
		filed.Insert(ast.StringTerm(key), ast.ArrayTerm(byPrefix[key]...))
	}
	return ast.NewObject(
		ast.Item(ast.InternedTerm("routes"), ast.ArrayTerm(routes...)),
		ast.Item(ast.InternedTerm("by_prefix"), ast.NewTerm(filed)),
	)
}
