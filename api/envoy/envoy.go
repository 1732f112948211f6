// Package envoy serves route decisions to Envoy's external authorization
// filter over gRPC (envoy.service.auth.v3.Authorization/Check): the
// request's method and path, and the tenant and subject from headers,
// become an engine.HTTPInput for Engine.DecideHTTP, the same decision as
// POST /v1/authorize/http. Like the api package it binds, calls and
// renders; it imports the engine and the api package's keys and error
// body, never the loader.
//
// The request:
//
//   - method and path from attributes.request.http (the path without its
//     query or fragment);
//   - the tenant from the check's context_extensions "tenant" (set per
//     route in Envoy's configuration), else the header x-gatehouse-tenant;
//   - the subject from the header x-gatehouse-user or x-gatehouse-app,
//     exactly one. Envoy must set them from an authenticated identity
//     (jwt_authn's claim_to_headers, say) and strip what clients send.
//
// The answer: allowed is OK, with x-gatehouse-decision-id added to the
// request sent upstream; denied is PERMISSION_DENIED with a 403 whose
// JSON body gives denied_by, the decision id and the route; bad input is
// INVALID_ARGUMENT with a 400 whose body is the API's error body. When no
// decision can be made (no data loaded yet, an internal error) Check
// fails with a gRPC error (UNAVAILABLE, INTERNAL), and Envoy's
// failure_mode_allow decides.
package envoy

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The headers and context extension the server reads and writes.
const (
	HeaderTenant     = "x-gatehouse-tenant"
	HeaderUser       = "x-gatehouse-user"
	HeaderApp        = "x-gatehouse-app"
	HeaderDecisionID = "x-gatehouse-decision-id"
	ContextTenant    = "tenant"
)

// Decider makes route decisions; *engine.Engine is one. DecideHTTP
// returns an *engine.InvalidInputError for bad input and
// engine.ErrNotReady before data is loaded.
type Decider interface {
	DecideHTTP(ctx context.Context, in engine.HTTPInput) (engine.HTTPDecision, error)
}

var _ Decider = (*engine.Engine)(nil)

// Server is the ext_authz Authorization service.
type Server struct {
	authv3.UnimplementedAuthorizationServer
	decider Decider
	// admit checks the bearer token of the gRPC call's authorization
	// metadata (see api.ScopeCheck); nil admits every call.
	admit func(token string) error
	log   *slog.Logger
}

// New returns a server deciding with d; admit checks each call's bearer
// token (nil: every call is admitted).
func New(d Decider, admit func(token string) error, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	return &Server{decider: d, admit: admit, log: log}
}

// Register adds the service to a gRPC server.
func (s *Server) Register(g *grpc.Server) { authv3.RegisterAuthorizationServer(g, s) }

// Check answers one ext_authz check.
func (s *Server) Check(ctx context.Context, req *authv3.CheckRequest) (*authv3.CheckResponse, error) {
	if err := s.authenticate(ctx); err != nil {
		return nil, err
	}
	in, problems := Input(req)
	if len(problems) > 0 {
		return invalid(problems), nil
	}
	d, err := s.decider.DecideHTTP(ctx, in)
	var bad *engine.InvalidInputError
	switch {
	case errors.As(err, &bad):
		return invalid(bad.Problems), nil
	case errors.Is(err, engine.ErrNotReady):
		return nil, status.Error(codes.Unavailable, "data is not loaded yet")
	case err != nil:
		s.log.Error("ext_authz check failed", "error", err)
		return nil, status.Error(codes.Internal, "internal error")
	case d.Allowed:
		return allowed(d), nil
	}
	return denied(d), nil
}

// authenticate admits the call by its authorization metadata.
func (s *Server) authenticate(ctx context.Context) error {
	if s.admit == nil {
		return nil
	}
	var token string
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("authorization"); len(v) > 0 {
			token, _ = strings.CutPrefix(v[0], "Bearer ")
		}
	}
	err := s.admit(token)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, api.ErrScope):
		return status.Error(codes.PermissionDenied, "the API key lacks the decide scope")
	}
	return status.Error(codes.Unauthenticated, "a bearer API key with the decide scope is required")
}

// Input maps a check request to a route decision's input, listing the
// problems only the mapping can see (a subject header given twice).
func Input(req *authv3.CheckRequest) (engine.HTTPInput, []model.Problem) {
	h := req.GetAttributes().GetRequest().GetHttp()
	headers := headerValues(h)
	in := engine.HTTPInput{Method: h.GetMethod(), Path: stripQuery(h.GetPath())}
	var ps model.Problems
	pick := func(name string, dst *string) {
		switch vs := headers[name]; len(vs) {
		case 0:
		case 1:
			*dst = vs[0]
		default:
			ps.Add(name, "is given %d times", len(vs))
		}
	}
	pick(HeaderTenant, &in.Tenant)
	pick(HeaderUser, &in.User)
	pick(HeaderApp, &in.App)
	if t, ok := req.GetAttributes().GetContextExtensions()[ContextTenant]; ok {
		in.Tenant = t
	}
	return in, ps.List()
}

// headerValues collects the request's headers by lower-case name, from
// headers or, when Envoy sends raw headers, header_map (where a repeated
// header stays repeated; in headers Envoy joins the values with ",").
func headerValues(h *authv3.AttributeContext_HttpRequest) map[string][]string {
	out := map[string][]string{}
	for k, v := range h.GetHeaders() {
		out[strings.ToLower(k)] = append(out[strings.ToLower(k)], v)
	}
	for _, hv := range h.GetHeaderMap().GetHeaders() {
		v := hv.GetValue()
		if raw := hv.GetRawValue(); len(raw) > 0 {
			v = string(raw)
		}
		out[strings.ToLower(hv.GetKey())] = append(out[strings.ToLower(hv.GetKey())], v)
	}
	return out
}

// stripQuery drops the query and fragment Envoy's path carries.
func stripQuery(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		return path[:i]
	}
	return path
}

func allowed(d engine.HTTPDecision) *authv3.CheckResponse {
	return &authv3.CheckResponse{
		Status: &rpcstatus.Status{Code: int32(codes.OK)},
		HttpResponse: &authv3.CheckResponse_OkResponse{OkResponse: &authv3.OkHttpResponse{
			Headers: []*corev3.HeaderValueOption{header(HeaderDecisionID, d.DecisionID)},
		}},
	}
}

// deniedBody is the body of a 403.
type deniedBody struct {
	Allowed    bool    `json:"allowed"`
	DeniedBy   *string `json:"denied_by"`
	DecisionID string  `json:"decision_id"`
	Route      any     `json:"route"`
}

func denied(d engine.HTTPDecision) *authv3.CheckResponse {
	body, _ := json.Marshal(deniedBody{DeniedBy: d.DeniedBy, DecisionID: d.DecisionID, Route: d.Route})
	return &authv3.CheckResponse{
		Status:       &rpcstatus.Status{Code: int32(codes.PermissionDenied), Message: "denied by " + deref(d.DeniedBy)},
		HttpResponse: deniedResponse(typev3.StatusCode_Forbidden, body, header(HeaderDecisionID, d.DecisionID)),
	}
}

func invalid(problems []model.Problem) *authv3.CheckResponse {
	body, _ := json.Marshal(api.ErrorBody{Code: api.CodeInvalid, Message: "the request is invalid", Errors: problems})
	return &authv3.CheckResponse{
		Status:       &rpcstatus.Status{Code: int32(codes.InvalidArgument), Message: "invalid route decision input"},
		HttpResponse: deniedResponse(typev3.StatusCode_BadRequest, body),
	}
}

func deniedResponse(code typev3.StatusCode, body []byte, headers ...*corev3.HeaderValueOption) *authv3.CheckResponse_DeniedResponse {
	return &authv3.CheckResponse_DeniedResponse{DeniedResponse: &authv3.DeniedHttpResponse{
		Status:  &typev3.HttpStatus{Code: code},
		Headers: append(headers, header("content-type", "application/json")),
		Body:    string(body),
	}}
}

func header(key, value string) *corev3.HeaderValueOption {
	return &corev3.HeaderValueOption{Header: &corev3.HeaderValue{Key: key, Value: value}}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
