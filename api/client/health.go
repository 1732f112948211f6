package client

import (
	"context"
	"net/http"

	"github.com/gatehouse/gatehouse/api/wire"
)

// StatusResponse is the body of GET /v1/status (package wire).
type StatusResponse = wire.StatusResponse

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
