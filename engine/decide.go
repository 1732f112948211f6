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

	"github.com/gatehouse/gatehouse/engine/decisionlog"
	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The decision's types live with the native decision (engine/index).
type (
	// Input is one decision question. User alone, User with Installation,
	// Installation alone, or App with Tenant.
	Input = index.Input
	// Decision is the answer to an Input.
	Decision = index.Decision
	// Reason is a grant or installation that contributed to an allow.
	Reason = index.Reason
)

// InvalidInputError carries every problem found with an input.
type InvalidInputError struct{ Problems []model.Problem }

func (e *InvalidInputError) Error() string {
	return fmt.Sprintf("invalid input: %d problem(s)", len(e.Problems))
}

// Unwrap lets errors.Is(err, ErrInvalidInput) match.
func (e *InvalidInputError) Unwrap() error { return ErrInvalidInput }

func inputError(ps []model.Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return &InvalidInputError{Problems: ps}
}

// Decide answers one decision, from the cache when it can (see
// decisionCache). It returns an *InvalidInputError for bad input and
// ErrNotReady before the first Load.
func (e *Engine) Decide(ctx context.Context, in Input) (Decision, error) {
	if err := inputError(in.Validate()); err != nil {
		return Decision{}, err
	}
	g, err := e.current()
	if err != nil {
		return Decision{}, err
	}
	start := time.Now()
	d, err := e.cache.decide(g.view, g.policies.Native, in, start.UnixNano(), func() (Decision, error) {
		return e.evaluate(ctx, g, in, start.UnixNano())
	})
	if err != nil {
		return Decision{}, err
	}
	d.DecisionID = NewDecisionID()
	e.decisions.Log(decisionlog.Entry{
		DecisionID: d.DecisionID, Time: start, Path: DecisionQuery, Input: in,
		Result: d, Revision: d.Revision, LatencyNS: time.Since(start).Nanoseconds(),
	})
	return d, nil
}

// evaluate answers natively, or runs the decision entrypoint when a custom
// policy could change it.
func (e *Engine) evaluate(ctx context.Context, g *generation, in Input, now int64) (Decision, error) {
	if g.policies.Native && !e.regoDecisions {
		return g.view.Decide(in, now), nil
	}
	var d Decision
	var err error
	if d.Revision, err = e.evalInto(ctx, g, DecisionQuery, inputValue(in), &d); err != nil {
		return Decision{}, err
	}
	if d.Reasons == nil {
		d.Reasons = []Reason{}
	}
	return d, nil
}

// NewDecisionID returns a unique, time-ordered decision id.
func NewDecisionID() string { return uuid.Must(uuid.NewV7()).String() }

func inputValue(in Input) ast.Value {
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
	if in.App != "" {
		obj.Insert(ast.InternedTerm("app"), ast.StringTerm(in.App))
	}
	if in.Tenant != "" {
		obj.Insert(ast.InternedTerm("tenant"), ast.StringTerm(in.Tenant))
	}
	return obj
}

// errUndefined is returned by evalInto when the query has no result.
var errUndefined = errors.New("engine: query undefined")

// evalInto evaluates a prepared entrypoint over the generation's view,
// decodes its value into out and returns the revision it saw.
func (e *Engine) evalInto(ctx context.Context, g *generation, query string, input ast.Value, out any) (uint64, error) {
	pq, ok := g.policies.Prepared(query)
	if !ok {
		return 0, fmt.Errorf("engine: %s not prepared", query)
	}
	rev := g.view.Rev()
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTransaction(e.store.Begin(g.view)))
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
