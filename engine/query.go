package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/lineage"

	"github.com/gatehouse/gatehouse/engine/decisionlog"
	"github.com/gatehouse/gatehouse/engine/policy"
)

// Explain modes for Query, as in OPA's Data API.
const (
	ExplainOff   = ""
	ExplainNotes = "notes"
	ExplainFull  = "full"
)

// QueryOptions tune a Data API query.
type QueryOptions struct {
	Explain string // ExplainOff, ExplainNotes or ExplainFull
	Metrics bool
}

// QueryResult is the answer of a Data API query.
type QueryResult struct {
	DecisionID  string         // set when Defined
	Result      any            // nil when Defined is false
	Defined     bool           // false for an undefined document
	Revision    uint64         // the data revision evaluated
	Metrics     map[string]any // when requested
	Explanation []string       // when requested
}

// Query evaluates data.<path> (path "/"-separated, may be empty) with input,
// like OPA's Data API. Prepared queries are cached per path and revision.
// It returns ErrInvalidInput for a path that is not a valid reference.
func (e *Engine) Query(ctx context.Context, path string, input any, opts QueryOptions) (QueryResult, error) {
	g, err := e.current()
	if err != nil {
		return QueryResult{}, err
	}
	start := time.Now()
	r, err := policy.DataRef(path)
	if err != nil {
		return QueryResult{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	ref := r.String()
	pq, err := g.policies.Query(ctx, ref)
	if err != nil {
		return QueryResult{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	var evalOpts []rego.EvalOption
	if input != nil {
		evalOpts = append(evalOpts, rego.EvalInput(input))
	}
	m := metrics.New()
	if opts.Metrics {
		evalOpts = append(evalOpts, rego.EvalMetrics(m))
	}
	var tracer *topdown.BufferTracer
	if opts.Explain != ExplainOff {
		tracer = topdown.NewBufferTracer()
		evalOpts = append(evalOpts, rego.EvalQueryTracer(tracer))
	}
	rs, err := pq.Eval(ctx, append(evalOpts, rego.EvalTransaction(e.store.Begin(g.view)))...)
	if err != nil {
		return QueryResult{}, fmt.Errorf("eval %s: %w", ref, err)
	}
	out := QueryResult{Revision: g.view.Rev()}
	if len(rs) > 0 && len(rs[0].Expressions) > 0 {
		out.Result, out.Defined, out.DecisionID = rs[0].Expressions[0].Value, true, NewDecisionID()
		e.decisions.Log(decisionlog.Entry{
			DecisionID: out.DecisionID, Time: start, Path: ref, Input: input,
			Result: out.Result, Revision: out.Revision, LatencyNS: time.Since(start).Nanoseconds(),
		})
	}
	if opts.Metrics {
		out.Metrics = m.All()
	}
	if tracer != nil {
		out.Explanation = explain(*tracer, opts.Explain)
	}
	return out, nil
}

func explain(trace []*topdown.Event, mode string) []string {
	if mode == ExplainNotes {
		trace = lineage.Notes(trace)
	} else {
		trace = lineage.Full(trace)
	}
	var b strings.Builder
	topdown.PrettyTrace(&b, trace)
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
}

// Eval evaluates any Rego query text (for `gatehouse eval`) and returns
// every result's bindings and expression values, as OPA's eval does.
func (e *Engine) Eval(ctx context.Context, query string, input any) (rego.ResultSet, error) {
	g, err := e.current()
	if err != nil {
		return nil, err
	}
	opts := []func(*rego.Rego){rego.Query(query), rego.Transaction(e.store.Begin(g.view))}
	if input != nil {
		opts = append(opts, rego.Input(input))
	}
	rs, err := g.policies.Rego(opts...).Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return rs, nil
}
