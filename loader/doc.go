// Package loader is everything MongoDB: connecting (or starting the
// embedded FerretDB store), reading every collection into a
// model.Snapshot, writing documents with versions, importing and
// exporting, decision-log storage, and keeping an engine in sync.
//
// # Architecture
//
// Mongo reads each collection with one find, decodes every document on its
// own into its model type and validates it; a document that fails is
// skipped, logged and counted, never fatal. Writes (Put, Delete) check
// versions and append {collection, docId, at} to the changes collection.
// The Syncer loads everything once, then follows change streams where the
// store offers them, else polls the change log every Interval and fetches
// each changed document by _id; a full diffing resync every ResyncInterval
// catches writes made outside gatehouse.
//
// # Trade-offs
//
// FerretDB pushes down only exact _id filters: polling updatedAt on every
// collection would scan the whole store each interval, while the change
// log stays small (trimmed after ChangeRetention). A full read costs what
// the store holds (about 6k documents/s on FerretDB), so it runs rarely.
//
// # Usage
//
//	m, err := loader.Open(ctx, loader.Config{URI: uri}, log)
//	syncer := loader.NewSyncer(m, eng, loader.SyncConfig{}, log)
//	go syncer.Run(ctx)
package loader
