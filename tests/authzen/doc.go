// Package authzen holds the end-to-end tests of the OpenID AuthZEN
// evaluation API (api/authzen): over the fully wired server and the
// embedded store, AuthZEN answers for the demo data, for the interop
// "Todo" scenario and for the certification fixture's identifier rules
// re-expressed as gatehouse data, each checked against /v1/authorize's
// answer to the same question; the scopes; and the metadata document.
// No AuthZEN client library for Go is on the module proxy's lists this
// project uses, so the tests speak HTTP with testkit.
package authzen
