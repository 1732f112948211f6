package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gatehouse/gatehouse/api/wire"
)

// The AuthZEN evaluation bodies are package wire's, the server's own.
type (
	Subject             = wire.Subject
	Resource            = wire.Resource
	Action              = wire.Action
	Evaluation          = wire.Evaluation
	Evaluations         = wire.Evaluations
	EvaluationsOptions  = wire.EvaluationsOptions
	EvaluationDecision  = wire.EvaluationDecision
	DecisionContext     = wire.DecisionContext
	EntryError          = wire.EntryError
	EvaluationsResponse = wire.EvaluationsResponse
)

// Evaluation asks one AuthZEN access evaluation (POST
// /access/v1/evaluation). Bad input is a 400 *Error, as AuthZEN asks.
func (c *Client) Evaluation(ctx context.Context, e Evaluation) (EvaluationDecision, error) {
	var out EvaluationDecision
	_, err := c.do(ctx, call{method: http.MethodPost, path: "/access/v1/evaluation", body: e, retry: true}, &out)
	return out, err
}

// Evaluations asks several AuthZEN evaluations (POST
// /access/v1/evaluations): one answer per entry in order, fewer when a
// semantic stops early; an entry that cannot be evaluated is a deny
// carrying its error. A request without entries is one evaluation of its
// defaults, answered as a list of one.
func (c *Client) Evaluations(ctx context.Context, req Evaluations) ([]EvaluationDecision, error) {
	var raw json.RawMessage
	if _, err := c.do(ctx, call{method: http.MethodPost, path: "/access/v1/evaluations", body: req, retry: true}, &raw); err != nil {
		return nil, err
	}
	if len(req.Evaluations) == 0 {
		var one EvaluationDecision
		err := decodeAnswer(raw, &one)
		return []EvaluationDecision{one}, err
	}
	var out EvaluationsResponse
	err := decodeAnswer(raw, &out)
	return out.Evaluations, err
}

func decodeAnswer(raw []byte, out any) error {
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("gatehouse client: decoding the evaluations answer: %w", err)
	}
	return nil
}
