// Package manage holds the end-to-end tests of the management API: CRUD,
// validation, on-behalf-of writes and their escalation guard, referential
// checks and API key scopes.
package manage
