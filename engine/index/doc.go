// Package index owns the compact index gatehouse decides over: the View
// (one immutable revision of users', groups' and apps' grants, roles,
// installations and extensions, in shards), the Indexer that builds a View
// from a snapshot and the next View from changes (Apply, Diff), the
// rendering of a View as the document OPA reads at data.gatehouse.index
// (Grant.Term, View.Root), the native decision (View.Decide), which
// answers exactly as policies/gatehouse/authz/authz.rego does, and per
// tenant the route Matcher over the app versions onboarded there
// (View.Route, routes.go), rendered at data.gatehouse.index.routes for
// gatehouse.routes.
//
// An app is a principal like a user: each onboarding's grants are filed
// under its id, tenantId/appId (data.gatehouse.index.apps), keeping only
// those on URIs under tenants/{tenantId}, so an app holds nothing outside
// its tenant. A decision for {app, tenant} (neither user nor installation)
// allows on those grants with reasons {kind: "onboarding", id:
// tenantId/appId, role, resource}, and is denied_by "app" otherwise,
// checked right after "user". View.Within keeps a tenant's onboardings in
// its bundle.
//
// Changing how a decision is made means this package, authz.rego and the
// differential test (engine's native_internal_test.go), nothing else.
//
// Changing how a route is found means engine/apps (the Matcher), the
// rendering in routes.go, routes.rego and the engine's
// routes_internal_test.go.
//
// It imports only engine/model, engine/apps (pure too) and OPA's ast;
// never the engine, OPA's storage or rego, Gin or the MongoDB driver.
package index
