// Package apps owns what apps do (SPEC section 6): the compilation of an
// onboarding into core documents and the matching of HTTP routes to apps'
// resources. The documents themselves (manifests, app versions,
// onboardings), their strict decoding, validation and id schemes live in
// engine/model (app.go, appvalidate.go, appdecode.go), so a snapshot and
// the store hold them like every other collection.
//
// It is pure: it imports only engine/model and the standard library,
// never OPA, Gin or the MongoDB driver. The store keeps its documents
// (collections apps and onboardings), the writes service applies the
// changes Onboard and Offboard list, the engine's index reads onboardings
// and builds a Matcher per tenant, and the API renders their answers.
//
// # Architecture
//
//   - model.Manifest, model.AppVersion (collection apps) and
//     model.Onboarding (collection onboardings), with every id scheme;
//     model.DecodeManifest (JSON or YAML) and Validate, which lists every
//     problem with its field path.
//   - plan.go, onboard.go: Onboard compiles a version for one or more
//     tenants into model roles, groups and records plus the Onboarding
//     document, and diffs them against each tenant's previous onboarding;
//     Offboard lists what removes it all.
//   - route.go, prefix.go: Matcher, the route of a (method, path) among a
//     tenant's onboarded apps, through a literal-prefix radix tree; Specs
//     describes its routes in order, for the index to render them for
//     the Rego of gatehouse.routes, which tries them by the same rule.
//
// # Ids
//
//   - app id: namespace:name, both lower-case DNS labels (letters, digits,
//     inner hyphens, 1-63 characters), so platform:participants and
//     platform:<uuid> (lower case) are both valid. It holds no "/" or "@",
//     is one URI segment, and is case-sensitive like every id, hence
//     lower case only: Platform:X and platform:x cannot both exist.
//   - app version: _id appId@versionId (the app id holds no "@").
//   - onboarding: _id tenantId/appId. Onboarding refuses a tenant id that
//     is not exactly one URI segment, since it becomes one in
//     tenants/{tenantId}/apps/{appId}; neither part can hold "/".
//   - role: appId/roleName, shared by every tenant (SPEC). Role, group
//     and resource names are valid text without "/".
//   - group of a tenant: tenants/{tenantId}/apps/{appId}/groups/{groupName};
//     its access record, granting the group's roles on
//     tenants/{tenantId}/apps/{appId}, has the same id. A user in t1's
//     group holds nothing in t2, and one tenant's documents share a prefix.
//
// # Apps as principals
//
// An app holds roles through its Onboarding document: Grants lists each
// rolesRequired entry on the other app's tenants/{t}/apps/{otherApp}.
// The index (engine/index) files them by tenantId/appId as it files a
// user's grants by user id; a decision {app, tenant} allows on them with
// the reason {kind: "onboarding", id: tenantId/appId, role, resource}.
// No new principal kind in records.
//
// # Trade-offs
//
// Roles are shared by all tenants, as SPEC names them appId/roleName,
// so one role id has one definition: a version that redefines a role a
// tenant outside the request holds is a conflict (ConflictError), not a
// silent change to that tenant. Onboard the app's tenants together, or
// name the changed role anew. A role is deleted when no tenant holds it.
//
// Re-onboarding never updates a group document, only creates and deletes
// them, so the users in a group that survives stay; its access record
// carries the roles and is updated.
//
// Match tries routes by app id, then in manifest order, and the first
// active resource whose regex matches and whose methods include the
// method decides, even when it has no active permission for the method
// (no route then): deactivating a permission never hands its paths to a
// broader resource. Unanchored regexes have no literal prefix and are
// tried for every path.
//
// # Usage
//
//	m, err := model.DecodeManifest(body, isYAML)       // 400/422 on error
//	v := model.NewAppVersion(appID, versionID, m)
//	problems := v.Validate()                          // 422 when any
//	res, err := apps.Onboard(apps.Request{Version: v, Tenants: states, Elsewhere: others})
//	// apply res.Changes as one change; answer res.Answer
//	matcher, err := apps.NewMatcher(tenantManifests)  // once per onboarding state
//	route, ok, err := matcher.Match("GET", "/v1/participants/p1")
package apps
