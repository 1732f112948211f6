package client

import (
	"context"
	"net/http"
	"time"
)

// StatusResponse is the body of GET /v1/status.
type StatusResponse struct {
	Ready           bool           `json:"ready"`
	Revision        uint64         `json:"revision"`
	Documents       map[string]int `json:"documents"`
	Skipped         map[string]int `json:"skipped"`
	SkippedPolicies []string       `json:"skippedPolicies,omitempty"`
	LoadedAt        *time.Time     `json:"loadedAt"`
	Sync            any            `json:"sync"`
	Uptime          string         `json:"uptime"`
}

// Readiness is the body of GET /ready when the server is ready.
type Readiness struct {
	Status   string `json:"status"`
	Revision uint64 `json:"revision"`
}

// Status reports what the server has loaded (GET /v1/status, read scope).
func (c *Client) Status(ctx context.Context) (StatusResponse, error) {
	var out StatusResponse
	_, err := c.do(ctx, call{method: http.MethodGet, path: "/v1/status", retry: true}, &out)
	return out, err
}

// Ready asks once whether the server has loaded its data (GET /ready): a
// server not ready yet is an *Error for which IsUnavailable holds. It is
// never retried: it reports the moment.
func (c *Client) Ready(ctx context.Context) (Readiness, error) {
	var out Readiness
	_, err := c.do(ctx, call{method: http.MethodGet, path: "/ready"}, &out)
	return out, err
}
