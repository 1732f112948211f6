// Package mongostore is gatehouse's MongoDB store: snapshot reads of every
// collection, versioned writes (Get, List, Put, Delete) that append to the
// change log, the change log itself and its change streams, import and
// export with the export-file codec (JSON or YAML), the decision-log sink,
// and the embedded FerretDB server that stands in for MongoDB.
//
// It is the only gatehouse package that speaks the MongoDB driver. It
// satisfies engine.Source and the syncer's Source, but must import
// neither the syncer, the API nor Gin: callers wire it in.
package mongostore
