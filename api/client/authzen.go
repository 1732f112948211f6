package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Subject is the principal of an AuthZEN evaluation ("user", "installation"
// or "app" as gatehouse maps them).
type Subject struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties,omitempty"`
}

// Resource is the target of an AuthZEN evaluation.
type Resource struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties,omitempty"`
}

// Action is what the subject wants to do.
type Action struct {
	Name       string         `json:"name"`
	Properties map[string]any `json:"properties,omitempty"`
}

// Evaluation is one AuthZEN access evaluation request, and one entry of
// an evaluations request (a nil entity takes the request's default).
type Evaluation struct {
	Subject  *Subject       `json:"subject,omitempty"`
	Action   *Action        `json:"action,omitempty"`
	Resource *Resource      `json:"resource,omitempty"`
	Context  map[string]any `json:"context,omitempty"`
}

// Evaluations is the body of POST /access/v1/evaluations: the top-level
// entities are the defaults of each entry.
type Evaluations struct {
	Evaluation
	Evaluations []Evaluation        `json:"evaluations,omitempty"`
	Options     *EvaluationsOptions `json:"options,omitempty"`
}

// EvaluationsOptions are the options of an evaluations request.
type EvaluationsOptions struct {
	// EvaluationsSemantic is execute_all (the default),
	// deny_on_first_deny or permit_on_first_permit.
	EvaluationsSemantic string `json:"evaluations_semantic,omitempty"`
}

// EvaluationDecision is an AuthZEN evaluation's answer.
type EvaluationDecision struct {
	Decision bool             `json:"decision"`
	Context  *DecisionContext `json:"context,omitempty"`
}

// DecisionContext says why: the decision's id and revision, what denied
// it or the reasons of an allow, or for an entry that could not be
// evaluated, the error.
type DecisionContext struct {
	DecisionID string          `json:"decision_id,omitempty"`
	Revision   uint64          `json:"revision,omitempty"`
	DeniedBy   string          `json:"denied_by,omitempty"`
	Reasons    []engine.Reason `json:"reasons,omitempty"`
	Error      *EntryError     `json:"error,omitempty"`
}

// EntryError is why one entry of a batch was not evaluated.
type EntryError struct {
	Status  int             `json:"status"`
	Message string          `json:"message"`
	Errors  []model.Problem `json:"errors,omitempty"`
}

// EvaluationsResponse is the answer of an evaluations request with entries.
type EvaluationsResponse struct {
	Evaluations []EvaluationDecision `json:"evaluations"`
}

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
