package authzen

import (
	"fmt"

	"github.com/gatehouse/gatehouse/api/wire"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The evaluation bodies are package wire's, shared with the client.
type (
	Subject         = wire.Subject
	Resource        = wire.Resource
	Action          = wire.Action
	Evaluation      = wire.Evaluation
	Evaluations     = wire.Evaluations
	Options         = wire.EvaluationsOptions
	Semantic        = wire.Semantic
	Decision        = wire.EvaluationDecision
	DecisionContext = wire.DecisionContext
	Reason          = engine.Reason
	EntryError      = wire.EntryError
	BatchResponse   = wire.EvaluationsResponse
)

// The evaluation semantics of the spec; ExecuteAll is the default.
const (
	ExecuteAll          = wire.ExecuteAll
	DenyOnFirstDeny     = wire.DenyOnFirstDeny
	PermitOnFirstPermit = wire.PermitOnFirstPermit
)

// semantic is the request's evaluation semantic, ExecuteAll by default.
func semantic(r Evaluations) Semantic {
	if r.Options == nil || r.Options.EvaluationsSemantic == "" {
		return ExecuteAll
	}
	return r.Options.EvaluationsSemantic
}

// Metadata is the PDP metadata document (/.well-known/authzen-configuration).
type Metadata struct {
	PolicyDecisionPoint       string `json:"policy_decision_point"`
	AccessEvaluationEndpoint  string `json:"access_evaluation_endpoint"`
	AccessEvaluationsEndpoint string `json:"access_evaluations_endpoint,omitempty"`
	SearchSubjectEndpoint     string `json:"search_subject_endpoint,omitempty"`
	SearchResourceEndpoint    string `json:"search_resource_endpoint,omitempty"`
	SearchActionEndpoint      string `json:"search_action_endpoint,omitempty"`
}

// The decoding below reads the tree model.ParseJSON returns (which has
// already refused malformed JSON, invalid UTF-8, repeated keys and
// trailing data). The spec requires unknown fields to be ignored, so
// model.DecodeJSON, which refuses them, is not used; every other part of
// the project's strictness is kept: null or a wrong type where a value
// belongs is a problem, listed with its path.

// shape collects type problems while reading a tree.
type shape struct{ ps model.Problems }

// object returns v as an object; absent (missing) is nil without problem.
func (s *shape) object(field string, v any, present bool) map[string]any {
	if !present {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		s.ps.Add(field, "must be an object, not %s", kind(v))
		return nil
	}
	return m
}

// str reads an optional string member of m.
func (s *shape) str(m map[string]any, field, key string) string {
	v, present := m[key]
	if !present {
		return ""
	}
	str, ok := v.(string)
	if !ok {
		s.ps.Add(field+"."+key, "must be a string, not %s", kind(v))
	}
	return str
}

// props reads the optional properties object of an entity.
func (s *shape) props(m map[string]any, field string) map[string]any {
	v, present := m["properties"]
	return s.object(field+".properties", v, present)
}

func (s *shape) evaluation(m map[string]any, field string) Evaluation {
	var e Evaluation
	join := func(k string) string {
		if field == "" {
			return k
		}
		return field + "." + k
	}
	if v, ok := m["subject"]; ok {
		if o := s.object(join("subject"), v, true); o != nil {
			e.Subject = &Subject{Type: s.str(o, join("subject"), "type"), ID: s.str(o, join("subject"), "id"), Properties: s.props(o, join("subject"))}
		}
	}
	if v, ok := m["resource"]; ok {
		if o := s.object(join("resource"), v, true); o != nil {
			e.Resource = &Resource{Type: s.str(o, join("resource"), "type"), ID: s.str(o, join("resource"), "id"), Properties: s.props(o, join("resource"))}
		}
	}
	if v, ok := m["action"]; ok {
		if o := s.object(join("action"), v, true); o != nil {
			e.Action = &Action{Name: s.str(o, join("action"), "name"), Properties: s.props(o, join("action"))}
		}
	}
	v, ok := m["context"]
	e.Context = s.object(join("context"), v, ok)
	return e
}

// parseEvaluation reads the body of POST /access/v1/evaluation.
func parseEvaluation(raw []byte) (Evaluation, error) {
	tree, err := parseObject(raw)
	if err != nil {
		return Evaluation{}, err
	}
	var s shape
	e := s.evaluation(tree, "")
	return e, shapeError(&s)
}

// parseEvaluations reads the body of POST /access/v1/evaluations.
func parseEvaluations(raw []byte) (Evaluations, error) {
	tree, err := parseObject(raw)
	if err != nil {
		return Evaluations{}, err
	}
	var s shape
	r := Evaluations{Evaluation: s.evaluation(tree, "")}
	if v, ok := tree["evaluations"]; ok {
		list, isList := v.([]any)
		if !isList {
			s.ps.Add("evaluations", "must be an array, not %s", kind(v))
		}
		for i, item := range list {
			field := fmt.Sprintf("evaluations[%d]", i)
			if o := s.object(field, item, true); o != nil {
				r.Evaluations = append(r.Evaluations, s.evaluation(o, field))
			}
		}
	}
	if v, ok := tree["options"]; ok {
		if o := s.object("options", v, true); o != nil {
			r.Options = &Options{EvaluationsSemantic: Semantic(s.str(o, "options", "evaluations_semantic"))}
			if _, given := o["evaluations_semantic"]; given {
				switch r.Options.EvaluationsSemantic {
				case ExecuteAll, DenyOnFirstDeny, PermitOnFirstPermit:
				default:
					s.ps.Add("options.evaluations_semantic", "is %q, want one of %s, %s, %s", r.Options.EvaluationsSemantic, ExecuteAll, DenyOnFirstDeny, PermitOnFirstPermit)
				}
			}
		}
	}
	return r, shapeError(&s)
}

// parseObject parses raw as one JSON object.
func parseObject(raw []byte) (map[string]any, error) {
	tree, err := model.ParseJSON(raw)
	if err != nil {
		return nil, err
	}
	m, ok := tree.(map[string]any)
	if !ok {
		return nil, &model.MalformedError{Message: "the body must be a JSON object"}
	}
	return m, nil
}

func shapeError(s *shape) error {
	if ps := s.ps.List(); len(ps) > 0 {
		return &model.ShapeError{Problems: ps}
	}
	return nil
}

// kind names a JSON value's type for a problem's message.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}
