// Package engine evaluates gatehouse's Rego model with OPA.
//
// # Architecture
//
// The engine holds an OPA in-memory store (AST values) with the index
// document at data.gatehouse.index and the revision at
// data.gatehouse.revision, the compiled built-in model plus custom
// policies, and the entrypoints prepared once. Load builds a whole new
// generation and swaps it in. Apply takes changed documents, re-renders
// only the index entries they touch (the users and groups a record names,
// one role, one installation) and writes them with the next revision in
// one store transaction; a custom-policy change recompiles. Every
// decision reads its revision inside its own read transaction, so the
// revision it reports is the data it saw. Decisions are cached by
// canonical input and revision until the earliest expiry they depend on.
//
// Beside the store, each revision has an immutable view: the same index in
// compact Go form, sharded so Apply copies only the shards it touches. The
// built-in decision is evaluated natively over the view (native.go), which
// answers exactly as data.gatehouse.authz.decision does; differential tests
// hold the two equal, and a custom policy in a gatehouse package switches
// decisions back to Rego. The Rego stays the definition: it is what
// lookups, the Data API, bundles and sidecars evaluate.
//
// # Trade-offs
//
// The index is denormalized for the lookups a decision makes: grant tuples
// filed by the user or group and by a prefix of the URIs they cover, roles
// with their allowed action prefixes, so a decision costs what the user
// holds, not what the store holds. The engine keeps the documents
// themselves as well (indexer), which costs memory but lets a write
// re-render a handful of entries instead of rebuilding the index.
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
