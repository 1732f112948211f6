// Package loader is the map of gatehouse's storage side; it declares
// nothing and nothing imports it. The work is done by its sub-packages,
// one job each:
//
//   - loader/mongostore: the MongoDB store — snapshot reads, versioned
//     writes, the change log and change streams, import/export and the
//     export-file codec, the decision-log sink, the embedded FerretDB.
//   - loader/syncer: keeps an engine equal to the store (change streams,
//     change-log polling, full resyncs), over the small Source and Engine
//     interfaces it defines.
//   - loader/changelog: the vocabulary both share (Entry, Ref, ResyncAll,
//     Stream), so the syncer follows a store without importing it.
//   - loader/loadertest: an embedded store for tests.
//
// # Architecture
//
// Dependencies run cmd → {mongostore, syncer} → engine, and
// mongostore, syncer → changelog. The syncer imports neither the store nor
// the MongoDB driver; the engine imports nothing here.
//
// The store reads each collection with one find, decodes every document
// on its own into its model type and validates it; a document that fails
// is skipped, logged and counted, never fatal. Writes (Put, Delete) check
// versions and append {collection, docId, at} to the change log.
//
// The path of a sync: Syncer.Run loads a full snapshot into the engine
// (engine.Refresh), then follows change streams where the store offers
// them, else polls the change log every Interval and fetches each changed
// document by _id (Store.Get → engine.Apply); a full diffing resync
// (Store.Snapshot → engine.Sync) every ResyncInterval catches writes made
// outside gatehouse, and trims the change log.
//
// # Trade-offs
//
// FerretDB pushes down only exact _id filters: polling updatedAt on every
// collection would scan the whole store each interval, while the change
// log stays small (trimmed after ChangeRetention). A full read costs what
// the store holds (about 6k documents/s on FerretDB), so it runs rarely;
// large imports and more changes than a poll or stream should fetch one by
// one become a single full read instead (changelog.ResyncAll).
//
// The change log's format lives in its own driver-free package rather than
// in the store, at the cost of one more small package, so that the syncer
// is unit-tested with fakes and cannot reach for the driver.
//
// # Usage
//
//	st, err := mongostore.Open(ctx, mongostore.Config{URI: uri}, log)
//	s := syncer.New(st, eng, syncer.Config{}, log)
//	go s.Run(ctx)
package loader
