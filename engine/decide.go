package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Input is one decision question. User alone, User with Installation, or
// Installation alone.
type Input struct {
	User         string `json:"user,omitempty"`
	Installation string `json:"installation,omitempty"`
	Resource     string `json:"resource"`
	Permission   string `json:"permission"`
}

// Validate lists every problem with the input.
func (in Input) Validate() []model.Problem {
	var ps model.Problems
	if in.User == "" && in.Installation == "" {
		ps.Add("user", "user or installation is required")
	}
	subjectID(&ps, "user", in.User)
	subjectID(&ps, "installation", in.Installation)
	if in.Resource == "" {
		ps.Add("resource", "is required")
	} else if _, err := model.NormalizeURI(in.Resource); err != nil {
		ps.Add("resource", "%v", err)
	}
	if in.Permission == "" {
		ps.Add("permission", "is required")
	} else if _, err := model.ActionSegments(in.Permission); err != nil {
		ps.Add("permission", "%v", err)
	}
	return ps.List()
}

// subjectID checks a subject's id when one is given.
func subjectID(ps *model.Problems, field, id string) {
	if id == "" {
		return
	}
	if err := model.CheckID(id); err != nil {
		ps.Add(field, "%v", err)
	}
}

// Reason is a grant or installation that contributed to an allow.
type Reason struct {
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Role     string `json:"role,omitempty"`
	Resource string `json:"resource"`
}

// Decision is the answer to an Input.
type Decision struct {
	Allowed    bool     `json:"allowed"`
	DecisionID string   `json:"decision_id"`
	Revision   uint64   `json:"revision"`
	Reasons    []Reason `json:"reasons"`
	DeniedBy   *string  `json:"denied_by"`
}

// InvalidInputError carries every problem found with an input.
type InvalidInputError struct{ Problems []model.Problem }

func (e *InvalidInputError) Error() string {
	return fmt.Sprintf("invalid input: %d problem(s)", len(e.Problems))
}

// Unwrap lets errors.Is(err, ErrInvalidInput) match.
func (e *InvalidInputError) Unwrap() error { return ErrInvalidInput }

func invalid(ps []model.Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return &InvalidInputError{Problems: ps}
}

// Decide answers one decision. It returns an *InvalidInputError for bad
// input and ErrNotReady before the first Load.
func (e *Engine) Decide(ctx context.Context, in Input) (Decision, error) {
	if err := invalid(in.Validate()); err != nil {
		return Decision{}, err
	}
	start := time.Now()
	d, err := e.decideCached(ctx, in, start.UnixNano())
	if err != nil {
		return Decision{}, err
	}
	d.DecisionID = NewDecisionID()
	e.decisions.Log(DecisionLogEntry{
		DecisionID: d.DecisionID, Time: start, Path: DecisionQuery, Input: in,
		Result: d, Revision: d.Revision, LatencyNS: time.Since(start).Nanoseconds(),
	})
	return d, nil
}

// decideCached answers from the cache or evaluates, once per key at a time.
// Only the built-in decision is cached: custom hook rules may depend on
// anything (the time, say), so with them every decision is evaluated.
func (e *Engine) decideCached(ctx context.Context, in Input, now int64) (Decision, error) {
	if e.cache == nil || !e.cacheable() {
		return e.evaluate(ctx, in, now)
	}
	key := cacheKey(in, e.Revision())
	if d, ok := e.cache.get(key, now); ok {
		return d, nil
	}
	v, err, _ := e.cache.flight.Do(key, func() (any, error) {
		// A miss that reaches Do after another finished evaluating this
		// key finds its answer here instead of evaluating again.
		if d, ok := e.cache.lookup(key, now); ok {
			return d, nil
		}
		e.cache.evals.Add(1)
		d, err := e.evaluate(ctx, in, now)
		if err == nil {
			e.cache.put(cacheKey(in, d.Revision), d, e.view.Load().nextExpiry(in.User, now))
		}
		return d, err
	})
	if err != nil {
		return Decision{}, err
	}
	return v.(Decision), nil
}

// cacheable reports whether decisions depend only on the data and the
// grants' expiry, as the built-in decision's do.
func (e *Engine) cacheable() bool {
	s := e.cur.Load()
	return s != nil && s.native
}

// evaluate answers natively, or runs the decision entrypoint when a custom
// policy could change it.
func (e *Engine) evaluate(ctx context.Context, in Input, now int64) (Decision, error) {
	s, err := e.state()
	if err != nil {
		return Decision{}, err
	}
	if s.native && !e.regoDecisions {
		return e.view.Load().decide(in, now), nil
	}
	var d Decision
	if d.Revision, err = s.evalInto(ctx, DecisionQuery, in.value(), &d); err != nil {
		return Decision{}, err
	}
	if d.Reasons == nil {
		d.Reasons = []Reason{}
	}
	return d, nil
}

// NewDecisionID returns a unique, time-ordered decision id.
func NewDecisionID() string { return uuid.Must(uuid.NewV7()).String() }

func (in Input) value() ast.Value {
	obj := ast.NewObject(
		ast.Item(ast.InternedTerm("resource"), ast.StringTerm(in.Resource)),
		ast.Item(ast.InternedTerm("permission"), ast.StringTerm(in.Permission)),
	)
	if in.User != "" {
		obj.Insert(ast.InternedTerm("user"), ast.StringTerm(in.User))
	}
	if in.Installation != "" {
		obj.Insert(ast.InternedTerm("installation"), ast.StringTerm(in.Installation))
	}
	return obj
}

// errUndefined is returned by eval when the query has no result.
var errUndefined = errors.New("engine: query undefined")

// evalInto evaluates a prepared entrypoint in one read transaction,
// decodes its value into out and returns the revision it saw.
func (s *state) evalInto(ctx context.Context, query string, input ast.Value, out any) (uint64, error) {
	pq, ok := s.prepared[query]
	if !ok {
		return 0, fmt.Errorf("engine: %s not prepared", query)
	}
	txn, err := s.store.NewTransaction(ctx)
	if err != nil {
		return 0, err
	}
	defer s.store.Abort(ctx, txn)
	rev := readRevision(s.store, txn)
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTransaction(txn))
	if err != nil {
		return 0, fmt.Errorf("eval %s: %w", query, err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return rev, fmt.Errorf("%s: %w", query, errUndefined)
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		return 0, fmt.Errorf("encode %s: %w", query, err)
	}
	return rev, json.Unmarshal(raw, out)
}
