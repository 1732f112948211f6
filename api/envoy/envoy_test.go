package envoy_test

import (
	"context"
	"encoding/json"
	"net"
	"testing"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/api/envoy"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// snapshot is the participants app onboarded to t1, with ann holding
// participants.read on it.
func snapshot() *model.Snapshot {
	m := &model.Manifest{AppID: "platform:participants", Resources: []model.AppResource{{
		Name: "participants", ResourcePath: `^/v1/participants(/[^/]+)?$`, AllowedHTTPMethods: []string{"GET", "POST"},
		Permissions: []model.RoutePermission{{Action: "participants.read", HTTPMethod: "GET"}, {Action: "participants.write", HTTPMethod: "POST"}},
	}}}
	return &model.Snapshot{
		Apps:        []model.AppVersion{*model.NewAppVersion(m.AppID, "1", m)},
		Onboardings: []model.Onboarding{{Meta: model.Meta{ID: "t1/" + m.AppID}, AppID: m.AppID, VersionID: "1", TenantID: "t1"}},
		Roles:       []model.Role{{Meta: model.Meta{ID: "viewer"}, Permissions: []model.Permission{{Action: "participants.read"}}}},
		Records: []model.Record{{Meta: model.Meta{ID: "r1"}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "ann"}},
			Statements: []model.Statement{{Roles: []string{"viewer"}, Resources: []model.ResourceRef{{ResourceURI: model.TenantAppURI("t1", m.AppID)}}}}}},
	}
}

// serve starts the ext_authz server over e on a real listener and
// returns a client connected to it.
func serve(t *testing.T, e *engine.Engine, admit func(string) error) authv3.AuthorizationClient {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	envoy.New(e, admit, nil).Register(g)
	go func() { _ = g.Serve(ln) }()
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return authv3.NewAuthorizationClient(conn)
}

func loaded(t *testing.T) *engine.Engine {
	t.Helper()
	e := engine.New(nil)
	if _, err := e.Load(t.Context(), snapshot()); err != nil {
		t.Fatal(err)
	}
	return e
}

func check(method, path string, headers, extensions map[string]string) *authv3.CheckRequest {
	return &authv3.CheckRequest{Attributes: &authv3.AttributeContext{
		Request:           &authv3.AttributeContext_Request{Http: &authv3.AttributeContext_HttpRequest{Method: method, Path: path, Headers: headers}},
		ContextExtensions: extensions,
	}}
}

func TestCheck(t *testing.T) {
	client := serve(t, loaded(t), nil)
	ann := map[string]string{envoy.HeaderTenant: "t1", envoy.HeaderUser: "ann"}
	bob := map[string]string{envoy.HeaderTenant: "t1", envoy.HeaderUser: "bob"}
	tests := []struct {
		name       string
		req        *authv3.CheckRequest
		code       codes.Code
		httpStatus typev3.StatusCode // of the denied response; 0 when allowed
		deniedBy   string
		fields     []string // of a 400's errors
	}{
		{"allowed", check("GET", "/v1/participants/p1", ann, nil), codes.OK, 0, "", nil},
		{"query stripped", check("GET", "/v1/participants/p1?x=1&y=2#f", ann, nil), codes.OK, 0, "", nil},
		{"tenant from the context extensions", check("GET", "/v1/participants", map[string]string{envoy.HeaderUser: "ann", envoy.HeaderTenant: "t2"}, map[string]string{"tenant": "t1"}), codes.OK, 0, "", nil},
		{"denied by the user", check("GET", "/v1/participants", bob, nil), codes.PermissionDenied, typev3.StatusCode_Forbidden, "user", nil},
		{"write not held", check("POST", "/v1/participants", ann, nil), codes.PermissionDenied, typev3.StatusCode_Forbidden, "user", nil},
		{"no route", check("GET", "/v2/other", ann, nil), codes.PermissionDenied, typev3.StatusCode_Forbidden, "no_route", nil},
		{"no subject", check("GET", "/v1/participants", map[string]string{envoy.HeaderTenant: "t1"}, nil), codes.InvalidArgument, typev3.StatusCode_BadRequest, "", []string{"user"}},
		{"both subjects", check("GET", "/v1/participants", map[string]string{envoy.HeaderTenant: "t1", envoy.HeaderUser: "ann", envoy.HeaderApp: "p:x"}, nil), codes.InvalidArgument, typev3.StatusCode_BadRequest, "", []string{"user"}},
		{"no tenant", check("GET", "/v1/participants", map[string]string{envoy.HeaderUser: "ann"}, nil), codes.InvalidArgument, typev3.StatusCode_BadRequest, "", []string{"tenant"}},
		{"bad path and method", check("FETCH", "/v1/../x", ann, nil), codes.InvalidArgument, typev3.StatusCode_BadRequest, "", []string{"method", "path"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.Check(t.Context(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes.Code(resp.GetStatus().GetCode()); got != tt.code {
				t.Fatalf("status %v, want %v (%v)", got, tt.code, resp)
			}
			if tt.code == codes.OK {
				hs := resp.GetOkResponse().GetHeaders()
				if len(hs) != 1 || hs[0].GetHeader().GetKey() != envoy.HeaderDecisionID || hs[0].GetHeader().GetValue() == "" {
					t.Fatalf("ok headers %v", hs)
				}
				return
			}
			denied := resp.GetDeniedResponse()
			if denied.GetStatus().GetCode() != tt.httpStatus {
				t.Fatalf("http status %v, want %v", denied.GetStatus().GetCode(), tt.httpStatus)
			}
			var body struct {
				DeniedBy   string `json:"denied_by"`
				DecisionID string `json:"decision_id"`
				Errors     []model.Problem
			}
			if err := json.Unmarshal([]byte(denied.GetBody()), &body); err != nil {
				t.Fatalf("body %q: %v", denied.GetBody(), err)
			}
			var fields []string
			for _, p := range body.Errors {
				fields = append(fields, p.Field)
			}
			if body.DeniedBy != tt.deniedBy || !cmp.Equal(fields, tt.fields) || (tt.deniedBy != "" && body.DecisionID == "") {
				t.Errorf("body %s, want denied_by %q fields %v", denied.GetBody(), tt.deniedBy, tt.fields)
			}
		})
	}
}

func TestCheckNotReady(t *testing.T) {
	client := serve(t, engine.New(nil), nil)
	_, err := client.Check(t.Context(), check("GET", "/", map[string]string{envoy.HeaderTenant: "t1", envoy.HeaderUser: "ann"}, nil))
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("err %v, want Unavailable", err)
	}
}

func TestCheckAuthenticates(t *testing.T) {
	keys := []api.Key{
		{Name: "decide", Secret: "decide-key-0123456789", Scopes: []string{api.ScopeDecide}},
		{Name: "read", Secret: "read-key-0123456789", Scopes: []string{api.ScopeRead}},
	}
	client := serve(t, loaded(t), api.ScopeCheck(keys, api.ScopeDecide))
	req := check("GET", "/v1/participants", map[string]string{envoy.HeaderTenant: "t1", envoy.HeaderUser: "ann"}, nil)
	for token, want := range map[string]codes.Code{
		"":                      codes.Unauthenticated,
		"nope":                  codes.Unauthenticated,
		"read-key-0123456789":   codes.PermissionDenied,
		"decide-key-0123456789": codes.OK,
	} {
		ctx := context.Background()
		if token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		}
		_, err := client.Check(ctx, req)
		if status.Code(err) != want {
			t.Errorf("token %q: %v, want %v", token, err, want)
		}
	}
}
