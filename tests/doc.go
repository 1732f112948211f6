// Package tests holds gatehouse's integration and end-to-end tests: the
// fully wired server on random ports over a real embedded FerretDB, and
// benchmarks. Helpers here start servers and speak HTTP to them.
package tests
