package routes

import (
	"context"
	"strings"
	"testing"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/api/envoy"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// envoyClient connects an ext_authz client to the server's Envoy address.
func envoyClient(t *testing.T, g *testkit.Gate) authv3.AuthorizationClient {
	t.Helper()
	if g.Srv.EnvoyAddr == "" {
		t.Fatal("the envoy ext_authz server is off")
	}
	conn, err := grpc.NewClient(g.Srv.EnvoyAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return authv3.NewAuthorizationClient(conn)
}

func envoyCheck(method, path, tenant, user string) *authv3.CheckRequest {
	return &authv3.CheckRequest{Attributes: &authv3.AttributeContext{Request: &authv3.AttributeContext_Request{
		Http: &authv3.AttributeContext_HttpRequest{Method: method, Path: path, Headers: map[string]string{
			envoy.HeaderTenant: tenant, envoy.HeaderUser: user, ":authority": "example.test",
		}},
	}}}
}

// TestEnvoyExtAuthz checks routes through the ext_authz server that
// `gatehouse serve --envoy-addr` starts beside the HTTP API.
func TestEnvoyExtAuthz(t *testing.T) {
	_, uri := testkit.StoreWith(t, routedSnapshot())
	g := testkit.StartOn(t, uri, func(c *server.Config) { c.EnvoyAddr = "127.0.0.1:0" })
	client := envoyClient(t, g)
	tests := []struct {
		name string
		req  *authv3.CheckRequest
		code codes.Code
		http typev3.StatusCode
		body string // a substring of the denied body
	}{
		{"allow", envoyCheck("GET", "/v1/participants/p1?page=2", "t1", "ann"), codes.OK, 0, ""},
		{"deny", envoyCheck("GET", "/v1/participants", "t1", "bob"), codes.PermissionDenied, typev3.StatusCode_Forbidden, `"denied_by":"user"`},
		{"no route", envoyCheck("GET", "/v1/elsewhere", "t1", "ann"), codes.PermissionDenied, typev3.StatusCode_Forbidden, `"denied_by":"no_route"`},
		{"invalid", envoyCheck("GET", "/v1/../participants", "t1", "ann"), codes.InvalidArgument, typev3.StatusCode_BadRequest, `"field":"path"`},
	}
	for _, tt := range tests {
		resp, err := client.Check(t.Context(), tt.req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := codes.Code(resp.GetStatus().GetCode()); got != tt.code {
			t.Errorf("%s: status %v, want %v", tt.name, got, tt.code)
			continue
		}
		if tt.code == codes.OK {
			if hs := resp.GetOkResponse().GetHeaders(); len(hs) != 1 || hs[0].GetHeader().GetKey() != envoy.HeaderDecisionID {
				t.Errorf("%s: headers %v", tt.name, hs)
			}
			continue
		}
		d := resp.GetDeniedResponse()
		if d.GetStatus().GetCode() != tt.http || !strings.Contains(d.GetBody(), tt.body) {
			t.Errorf("%s: %v %s, want %v with %s", tt.name, d.GetStatus().GetCode(), d.GetBody(), tt.http, tt.body)
		}
	}
}

// TestEnvoyExtAuthzNeedsDecideKey: with API keys, a call needs a decide
// key as its bearer token.
func TestEnvoyExtAuthzNeedsDecideKey(t *testing.T) {
	_, uri := testkit.StoreWith(t, routedSnapshot())
	keys := []api.Key{{Name: "d", Secret: "decide-key-0123456789", Scopes: []string{api.ScopeDecide}}}
	g := testkit.StartOn(t, uri, func(c *server.Config) { c.EnvoyAddr, c.Keys = "127.0.0.1:0", keys })
	client := envoyClient(t, g)
	req := envoyCheck("GET", "/v1/participants", "t1", "ann")
	if _, err := client.Check(t.Context(), req); status.Code(err) != codes.Unauthenticated {
		t.Errorf("without a key: %v", err)
	}
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer decide-key-0123456789")
	if resp, err := client.Check(ctx, req); err != nil || codes.Code(resp.GetStatus().GetCode()) != codes.OK {
		t.Errorf("with a decide key: %v %v", resp, err)
	}
}
