package wire

import (
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The OpenID AuthZEN evaluation bodies (api/authzen serves them).

// Subject is the principal of an evaluation: type and id are required,
// properties is any object.
type Subject struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties,omitempty"`
}

// Resource is the target of an evaluation: type and id are required,
// properties is any object.
type Resource struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties,omitempty"`
}

// Action is what the subject wants to do: name is required.
type Action struct {
	Name       string         `json:"name"`
	Properties map[string]any `json:"properties,omitempty"`
}

// Evaluation is one access evaluation request, and one entry of an
// evaluations request. A nil entity is absent (an entry then takes the
// request's default).
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

// EvaluationsOptions are the options of an evaluations request; others
// are ignored.
type EvaluationsOptions struct {
	EvaluationsSemantic Semantic `json:"evaluations_semantic,omitempty"`
}

// Semantic is options.evaluations_semantic.
type Semantic string

// The evaluation semantics of the spec; ExecuteAll is the default.
const (
	ExecuteAll          Semantic = "execute_all"
	DenyOnFirstDeny     Semantic = "deny_on_first_deny"
	PermitOnFirstPermit Semantic = "permit_on_first_permit"
)

// EvaluationDecision is an evaluation's answer.
type EvaluationDecision struct {
	Decision bool             `json:"decision"`
	Context  *DecisionContext `json:"context,omitempty"`
}

// DecisionContext says why: the decision's id and revision, what denied
// it or the reasons of an allow, or, for an entry of a batch that could
// not be evaluated, the error.
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

// EvaluationsResponse is the answer of POST /access/v1/evaluations when
// the request has entries.
type EvaluationsResponse struct {
	Evaluations []EvaluationDecision `json:"evaluations"`
}
