// Package engine is gatehouse's facade over its Rego model: Load, Apply,
// Sync and Refresh bring documents in; Decide (with the decision cache
// around it), the lookups, the admin checks, Query and Eval answer. It
// imports neither Gin nor the MongoDB driver: documents arrive as
// model.Snapshot values and Change values, through the Source interface.
//
// # Architecture
//
// The engine owns little itself; its sub-packages own the rest, and only
// the engine ties them together:
//
//	engine/model       documents, validation, URI and action normalization
//	engine/index       views (one revision of the data, sharded), building
//	                   and diffing them, rendering them for OPA, the native decision
//	engine/regostore   the read-only OPA storage over a view
//	engine/policy      built-in modules, compiling custom policies, hook
//	                   checks, entrypoints, prepared queries
//	engine/decisionlog the batching decision log (its MongoDB sink is in loader)
//	engine/writes      the owner of a management write (uses the facade)
//	engine/apps        onboarding compilation and route matching (pure)
//
// One revision is one generation: the compiled policies (policy.Set) and
// the view (index.View) published together through one atomic pointer. A
// reader loads it once; Rego reads the data through a transaction pinned
// to that generation's view, so policies and data always belong together.
//
// The paths through the packages:
//
//	decision  api → Engine.Decide → decisionCache → index.View.Decide
//	          (or, with hook rules, policy.Set's prepared query over
//	          regostore pinned to the view) → decisionlog
//	route     api (POST /v1/authorize/http) or api/envoy (ext_authz) →
//	          Engine.DecideHTTP → index.View.Route (the tenant's
//	          apps.Matcher, built by the indexer per onboarding state) →
//	          the decision path above for the route's permission on
//	          tenants/{tenant}/apps/{app}; data.gatehouse.routes.decision
//	          is its Rego definition (routes_internal_test.go)
//	explain   api (?explain=true) → Engine.Explain → Engine.Decide for the
//	          answer, then index.View.Explain over the generation that
//	          decided: the chains and nearest misses
//	search    api/authzen search → Engine.SearchResources (the known
//	          resources below a URI, each decided as above) and
//	          Engine.SearchActions (a user's role actions, each decided)
//	write     api → writes.Service (validate, references, on-behalf
//	          check) → store write (loader) → Engine.Apply → index.Indexer.Apply
//	          (next view from the touched shards; policy.New on a policy
//	          change) → new generation
//	sync      loader syncer → Engine.Sync → index.Indexer.Diff → Apply path
//	bundle    bundles → Engine.Export (index.View.JSON, or View.Within for
//	          a tenant, and the policy modules of the same generation)
//
// The built-in decision is evaluated natively over the view. It answers
// exactly as data.gatehouse.authz.decision does; differential tests
// (native_internal_test.go) hold the two equal, and a custom policy that
// declares hook rules (package gatehouse.hooks, the only gatehouse
// package custom policies may add rules to) switches decisions back to
// Rego. The lookups (permissions, resources, memberships, the access
// map) are native over the view in the same way, held equal to
// data.gatehouse.lookup by lookup_internal_test.go, and switch back to
// Rego with decisions. The Rego stays the definition: it is what admin
// checks, the Data API, bundles and sidecars evaluate.
//
// # Trade-offs
//
// The indexer keeps the small collections whole but not records and
// memberships: their grants live in the view tagged with their source
// document, and the indexer keeps only each document's stamp (version,
// time, digest) and the principals it names. That is what re-rendering a
// change needs, at a fraction of the documents' memory; reading a whole
// record back is the store's job. The store renders the index entry by
// entry as Rego reads it, so there is no second copy of the data.
//
// # Usage
//
//	e := engine.NewWithOptions(logger, engine.Options{DecisionCacheSize: engine.DefaultDecisionCacheSize, DecisionLog: log})
//	e.Load(ctx, snapshot)                         // from the loader
//	e.Apply(ctx, []engine.Change{{Collection: model.Records, ID: "r1", Doc: rec}})
//	d, err := e.Decide(ctx, engine.Input{User: "u1", Resource: "accounts/A", Permission: "read"})
package engine
