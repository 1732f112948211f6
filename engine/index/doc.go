// Package index owns the compact index gatehouse decides over: the View
// (one immutable revision of users', groups' grants, roles, installations
// and extensions, in shards), the Indexer that builds a View from a
// snapshot and the next View from changes (Apply, Diff), the rendering of
// a View as the document OPA reads at data.gatehouse.index (Grant.Term,
// View.Root), and the native decision (View.Decide), which answers exactly
// as policies/gatehouse/authz/authz.rego does.
//
// Changing how a decision is made means this package, authz.rego and the
// differential test (engine's native_internal_test.go), nothing else.
//
// It imports only engine/model and OPA's ast; never the engine, OPA's
// storage or rego, Gin or the MongoDB driver.
package index
