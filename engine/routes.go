package engine

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/apps"
	"github.com/gatehouse/gatehouse/engine/decisionlog"
	"github.com/gatehouse/gatehouse/engine/model"
)

// RouteQuery is the route decision's entrypoint, taking an HTTPInput.
const RouteQuery = "data.gatehouse.routes.decision"

// DeniedNoRoute is the denied_by of a request no route matches.
const DeniedNoRoute = "no_route"

// HTTPInput is one route decision question (POST /v1/authorize/http, the
// Envoy ext_authz server): a request to the apps onboarded to Tenant, by
// User or by App. Path is the request's path without query or fragment.
type HTTPInput struct {
	Tenant string `json:"tenant"`
	Method string `json:"method"`
	Path   string `json:"path"`
	User   string `json:"user,omitempty"`
	App    string `json:"app,omitempty"`
}

// Validate lists every problem with the input, as the Rego's
// invalid_input has them: one of user and app, each a valid id; a tenant
// id of one URI segment; an HTTP method as on the wire; a path
// apps.CheckPath accepts.
func (in HTTPInput) Validate() []model.Problem {
	var ps model.Problems
	if (in.User == "") == (in.App == "") {
		ps.Add("user", "exactly one of user and app is required")
	}
	ps.OptionalID("user", in.User)
	ps.OptionalID("app", in.App)
	if err := model.CheckTenantID(in.Tenant); err != nil {
		ps.Add("tenant", "%v", err)
	}
	if !slices.Contains(model.HTTPMethods, in.Method) {
		ps.Add("method", "must be one of %s", strings.Join(model.HTTPMethods, ", "))
	}
	if err := apps.CheckPath(in.Path); err != nil {
		ps.Add("path", "%v", err)
	}
	return ps.List()
}

// HTTPDecision is the answer to an HTTPInput: the decision of the route's
// permission on tenants/{tenant}/apps/{app}, with the route; Route is nil
// (JSON null) when no route matches (denied_by "no_route").
type HTTPDecision struct {
	Decision
	Route *apps.Route `json:"route"`
}

// DecideHTTP finds the route of a request among the apps onboarded to
// the tenant (the view's Matcher, built once per onboarding state) and
// decides its permission through the ordinary decision (Decide's cache,
// hooks and Rego fallback), both from one generation. It answers as
// data.gatehouse.routes.decision does. It returns an *InvalidInputError
// for bad input and ErrNotReady before the first Load.
func (e *Engine) DecideHTTP(ctx context.Context, in HTTPInput) (HTTPDecision, error) {
	if err := inputError(in.Validate()); err != nil {
		return HTTPDecision{}, err
	}
	g, err := e.current()
	if err != nil {
		return HTTPDecision{}, err
	}
	start := time.Now()
	d, err := e.decideHTTP(ctx, g, in, start.UnixNano())
	if err != nil {
		return HTTPDecision{}, err
	}
	d.DecisionID = NewDecisionID()
	e.decisions.Log(decisionlog.Entry{
		DecisionID: d.DecisionID, Time: start, Path: RouteQuery, Input: in,
		Result: d, Revision: d.Revision, LatencyNS: time.Since(start).Nanoseconds(),
	})
	return d, nil
}

func (e *Engine) decideHTTP(ctx context.Context, g *generation, in HTTPInput, now int64) (HTTPDecision, error) {
	if e.regoDecisions {
		return e.evalHTTP(ctx, g, in)
	}
	route, ok, err := g.view.Route(in.Tenant, in.Method, in.Path)
	switch {
	case err != nil: // Validate checked the path
		return HTTPDecision{}, err
	case !ok:
		return HTTPDecision{Decision: Decision{Revision: g.view.Rev(), Reasons: []Reason{}, DeniedBy: ptr(DeniedNoRoute)}}, nil
	}
	resource := model.TenantAppURI(in.Tenant, route.App)
	din := Input{User: in.User, App: in.App, Resource: resource, Permission: route.Permission}
	if in.App != "" {
		din.Tenant = in.Tenant
	}
	d, err := e.cache.decide(g.view, g.policies.Native, din, now, func() (Decision, error) {
		return e.evaluate(ctx, g, din, now)
	})
	if err != nil {
		return HTTPDecision{}, err
	}
	return HTTPDecision{Decision: d, Route: &route}, nil
}

// evalHTTP evaluates the route decision's entrypoint.
func (e *Engine) evalHTTP(ctx context.Context, g *generation, in HTTPInput) (HTTPDecision, error) {
	var d HTTPDecision
	var err error
	if d.Revision, err = e.evalInto(ctx, g, RouteQuery, httpInputValue(in), &d); err != nil {
		return HTTPDecision{}, err
	}
	if d.Reasons == nil {
		d.Reasons = []Reason{}
	}
	return d, nil
}

func httpInputValue(in HTTPInput) ast.Value {
	obj := ast.NewObject(
		ast.Item(ast.InternedTerm("tenant"), ast.StringTerm(in.Tenant)),
		ast.Item(ast.InternedTerm("method"), ast.StringTerm(in.Method)),
		ast.Item(ast.InternedTerm("path"), ast.StringTerm(in.Path)),
	)
	if in.User != "" {
		obj.Insert(ast.InternedTerm("user"), ast.StringTerm(in.User))
	}
	if in.App != "" {
		obj.Insert(ast.InternedTerm("app"), ast.StringTerm(in.App))
	}
	return obj
}

func ptr[T any](v T) *T { return &v }
