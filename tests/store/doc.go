// Package store holds the tests of how servers follow the store: freshness across
// servers, store outages, imports reaching running servers, metrics and
// the MongoDB decision log.
package store
