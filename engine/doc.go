// Package engine evaluates gatehouse's Rego model with OPA.
//
// # Architecture
//
// Each revision of the data is an immutable view (view.go): the index in
// compact Go form, with grants filed by the user or group a decision
// starts from and by a prefix of the URIs they cover, roles with their
// allowed action prefixes, installations and extensions by id. Views are
// sharded, so Apply copies only the shards its changes touch; a reader
// holds one revision without locks.
//
// The built-in decision is evaluated natively over the view (native.go).
// It answers exactly as data.gatehouse.authz.decision does; differential
// tests hold the two equal, and a custom policy that declares hook rules
// (package gatehouse.hooks, the only gatehouse package custom policies may
// add rules to; hooks.go) switches decisions back to Rego. The Rego stays the definition: it is
// what lookups, admin checks, the Data API, bundles and sidecars evaluate.
// OPA reads the data through a read-only store over the views (store.go),
// which renders {"gatehouse": {"index", "revision"}} entry by entry as Rego
// reads it, so there is no second copy of the index.
//
// Load builds a whole new view and compiles policies. Apply re-renders
// only the entries the changes touch (the users and groups a record names,
// one role, one installation) and publishes the next revision; a
// custom-policy change recompiles. Decisions are cached by canonical input
// and revision until the earliest expiry they depend on.
//
// # Trade-offs
//
// The indexer keeps the small collections whole but not records and
// memberships: their grants live in the view tagged with their source
// document, and the indexer keeps only each document's stamp (version,
// time, digest) and the principals it names. That is what re-rendering a
// change needs, at a fraction of the documents' memory; reading a whole
// record back is the store's job.
//
// # Usage
//
//	e := engine.New(logger)
//	e.Load(ctx, snapshot)                         // from the loader
//	e.Apply(ctx, []engine.Change{{Collection: model.Records, ID: "r1", Doc: rec}})
//	d, err := e.Decide(ctx, engine.Input{User: "u1", Resource: "accounts/A", Permission: "read"})
//
// The engine imports neither Gin nor the MongoDB driver; documents arrive as
// model.Snapshot values and model.Document changes.
package engine
