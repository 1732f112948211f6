// Package openapi holds the contract test of api/openapi.yaml: the
// document loads and validates as OpenAPI 3.1 (kin-openapi), the routes
// the router registers are the routes it documents, and every route of a
// live server is driven with real requests whose requests and responses
// (status, headers, body) are validated against it. It imports the api
// package and the test harness only; it must not reach into handlers.
package openapi
