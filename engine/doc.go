// Package engine evaluates gatehouse's Rego model with OPA.
//
// # Architecture
//
// The engine holds one immutable generation at a time: an OPA in-memory
// store with the index document (BuildIndex) at data.gatehouse.index, the
// compiled built-in model plus custom policies, and the entrypoints prepared
// once. Load builds a whole new generation and swaps it in atomically, so
// decisions never see a half-applied change; every Load bumps the revision.
//
// # Trade-offs
//
// The index is denormalized for the lookups a decision makes: grants keyed
// by user and by group, roles by id with actions pre-split, so a decision
// costs what the user holds, not what the tenant holds. Rebuilding the
// whole generation on each change keeps the swap trivially consistent at
// the price of a full re-index per load.
//
// # Usage
//
//	e := engine.New(logger)
//	e.Load(ctx, snapshot)             // from the loader
//	d, err := e.Decide(ctx, engine.Input{User: "u1", Resource: "accounts/A", Permission: "read"})
//
// The engine imports neither Gin nor the MongoDB driver; documents arrive as
// model.Snapshot values.
package engine
