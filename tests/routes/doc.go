// Package routes holds the end-to-end tests of route authorization (SPEC
// section 6): POST /v1/authorize/http, stock OPA sidecars answering
// data.gatehouse.routes.decision from the whole and a tenant's bundle,
// and the Envoy ext_authz server that `gatehouse serve --envoy-addr`
// starts.
package routes
