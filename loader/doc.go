// Package loader is everything MongoDB: connecting (or starting the
// embedded FerretDB store), reading every collection into a
// model.Snapshot, and importing and exporting documents.
//
// # Architecture
//
// Mongo reads each collection with one find, decodes every document on its
// own into its model type and validates it; a document that fails is
// skipped, logged and counted, never fatal. The engine consumes the result
// through engine.Source.
//
// # Trade-offs
//
// A snapshot is a full read. That keeps the loaded state trivially
// consistent with the store and catches deletes and outside writes, at the
// cost of reading everything (FerretDB on SQLite reads about 6k documents/s).
//
// # Usage
//
//	m, err := loader.Open(ctx, loader.Config{URI: uri, Database: "gatehouse"}, log)
//	snap, err := m.Snapshot(ctx)
package loader
