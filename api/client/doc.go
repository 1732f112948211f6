// Package client is a typed, context-aware Go client for gatehouse's HTTP
// API, for services that call gatehouse: decisions (single, batch, route,
// explained, AuthZEN), lookups with their pages and iterators, health,
// and the management API with ETags and If-Match. Failures the server
// answers come back as *Error; idempotent requests are retried on 503 and
// on a refused connection.
//
// It owns the wire types of the responses it reads, kept in step with the
// api package's by a test. It must not import Gin or the api package (nor
// anything importing them); it may import engine and engine/model.
package client
