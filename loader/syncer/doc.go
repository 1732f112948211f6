// Package syncer keeps an engine equal to the store: one full load at
// start, then change streams where the store offers them, else polling
// the change log, plus a periodic full diffing resync; it reports how
// fresh the engine's data is (Status).
//
// It works over two small interfaces defined here, Source (the store) and
// Engine, so it is unit-tested with fakes. It must not import the MongoDB
// driver, Gin, the store package or the API: the store's vocabulary it
// needs (change-log entries, change streams) comes from loader/changelog.
package syncer
