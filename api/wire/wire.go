// Package wire owns the JSON bodies of gatehouse's HTTP API that the
// server (package api) writes and the Go client (api/client) reads: the
// error body and its codes, the status report and the lookups' pages. One
// definition for both sides, so they cannot drift. It imports only the
// engine's types; it must not import Gin, the api package or a store.
package wire

import (
	"time"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Error codes, in ErrorBody.Code.
const (
	CodeMalformed     = "malformed_request"
	CodeInvalid       = "invalid_input"
	CodeTooLarge      = "too_large"
	CodeNotFound      = "not_found"
	CodeNotReady      = "not_ready"
	CodeUnavailable   = "store_unavailable"
	CodeInternal      = "internal_error"
	CodeNoPermission  = "permission_not_found"
	CodeBatchTooLarge = "batch_too_large"
	CodeForbidden     = "forbidden"
	CodeUnauthorized  = "unauthorized"
	CodeConflict      = "conflict"
	CodeOverloaded    = "overloaded"
)

// ErrorBody is the one error shape every route returns.
type ErrorBody struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Errors  []model.Problem `json:"errors,omitempty"`
}

// StatusResponse is the body of GET /v1/status.
type StatusResponse struct {
	Ready     bool           `json:"ready"`
	Revision  uint64         `json:"revision"`
	Documents map[string]int `json:"documents"`
	Skipped   map[string]int `json:"skipped"`
	// SkippedPolicies are custom policies left out: they do not compile
	// or declare rules outside package gatehouse.hooks.
	SkippedPolicies []string   `json:"skippedPolicies,omitempty"`
	LoadedAt        *time.Time `json:"loadedAt"`
	Sync            any        `json:"sync"`
	Uptime          string     `json:"uptime"`
}

// ResourcesResponse is one page of GET /v1/users/{userId}/resources.
type ResourcesResponse struct {
	Resources []ResourceItem `json:"resources"`
	Cursor    string         `json:"cursor,omitempty"`
}

// ResourceItem names one resource pattern.
type ResourceItem struct {
	ResourceURI string `json:"resourceUri"`
}

// PermissionsResponse is the body of GET
// /v1/users/{userId}/resources/{uri}/permissions.
type PermissionsResponse struct {
	Permissions []engine.HeldPermission `json:"permissions"`
}

// MembershipsResponse is the body of GET /v1/users/{userId}/memberships.
type MembershipsResponse struct {
	Memberships []engine.UserMembership `json:"memberships"`
}

// AccessResponse is one page of GET /v1/users/{userId}/access: the
// user's access map, every grant they hold, sorted by resource, kind, id,
// group, then role.
type AccessResponse struct {
	Grants []AccessItem `json:"grants"`
	Cursor string       `json:"cursor,omitempty"`
}

// AccessItem is one grant of an access map: the record or membership
// that gives it, the group it comes through (only through a group), the
// role and resource pattern, its expiry, and the role's permissions
// (none for a missing or inactive role).
type AccessItem struct {
	Kind        string                  `json:"kind"`
	ID          string                  `json:"id"`
	Group       string                  `json:"group,omitempty"`
	Role        string                  `json:"role"`
	Resource    string                  `json:"resource"`
	Expires     *time.Time              `json:"expires,omitempty"`
	Permissions []engine.HeldPermission `json:"permissions"`
}

// UsersResponse is one page of GET /v1/resources/{uri}/users: the users
// holding the permission there, sorted by id, each with the paths
// through which they hold it. Cursor is set only when more users follow.
type UsersResponse struct {
	Users  []engine.UserAccess `json:"users"`
	Cursor string              `json:"cursor,omitempty"`
}
