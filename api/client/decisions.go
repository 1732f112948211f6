package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/engine"
)

// BatchRequest is the body of POST /v1/authorize/batch.
type BatchRequest struct {
	Checks []engine.Input `json:"checks"`
}

// BatchResponse holds one decision per check, in order.
type BatchResponse struct {
	Results []engine.Decision `json:"results"`
}

// Authorize asks one decision (POST /v1/authorize). A deny is a Decision
// with Allowed false, not an error; bad input is a 422 *Error listing
// every problem.
func (c *Client) Authorize(ctx context.Context, in engine.Input) (engine.Decision, error) {
	var d engine.Decision
	_, err := c.do(ctx, call{method: http.MethodPost, path: "/v1/authorize", body: in, retry: true}, &d)
	return d, err
}

// AuthorizeBatch asks several decisions at once (POST
// /v1/authorize/batch): one per input, in order. A bad input refuses the
// whole batch, with every problem listed as checks[i].field.
func (c *Client) AuthorizeBatch(ctx context.Context, ins []engine.Input) ([]engine.Decision, error) {
	var out BatchResponse
	_, err := c.do(ctx, call{method: http.MethodPost, path: "/v1/authorize/batch", body: BatchRequest{Checks: ins}, retry: true}, &out)
	return out.Results, err
}

// AuthorizeHTTP decides a request to the apps onboarded to a tenant (POST
// /v1/authorize/http): the route's decision with the route, or a deny
// with DeniedBy "no_route" and no route.
func (c *Client) AuthorizeHTTP(ctx context.Context, in engine.HTTPInput) (engine.HTTPDecision, error) {
	var d engine.HTTPDecision
	_, err := c.do(ctx, call{method: http.MethodPost, path: "/v1/authorize/http", body: in, retry: true}, &d)
	return d, err
}

// ExplainedDecision is a decision with why it came out so: the
// engine's own explanation types (paths, near misses, the extension's side).
type ExplainedDecision struct {
	engine.Decision
	Explanation engine.Explanation `json:"explanation"`
}

// Explain asks one decision with its explanation (POST
// /v1/authorize?explain=true).
func (c *Client) Explain(ctx context.Context, in engine.Input) (ExplainedDecision, error) {
	var d ExplainedDecision
	q := url.Values{"explain": {"true"}}
	_, err := c.do(ctx, call{method: http.MethodPost, path: "/v1/authorize", query: q, body: in, retry: true}, &d)
	return d, err
}
