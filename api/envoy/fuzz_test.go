package envoy_test

import (
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"

	"github.com/gatehouse/gatehouse/api/envoy"
	"github.com/gatehouse/gatehouse/engine/model"
)

// FuzzInput: whatever a check request carries, an input the mapping and
// the engine's validation both accept holds no control character or
// invalid UTF-8 in its tenant, subject or path, and no query in the path.
func FuzzInput(f *testing.F) {
	f.Add("GET", "/v1/participants/p1?x=1", "t1", "alice", "", []byte(nil), "")
	f.Add("GET", "/a", "t1", "", "platform:a", []byte("t2"), "t3")
	f.Add("BREW", "/a#f", "t\x00", "al\nice", "", []byte("\xff"), "")
	f.Fuzz(func(t *testing.T, method, path, tenant, user, app string, raw []byte, ctxTenant string) {
		h := &authv3.AttributeContext_HttpRequest{Method: method, Path: path, Headers: map[string]string{}}
		for k, v := range map[string]string{envoy.HeaderTenant: tenant, envoy.HeaderUser: user, envoy.HeaderApp: app} {
			if v != "" {
				h.Headers[k] = v
			}
		}
		if raw != nil {
			h.HeaderMap = &corev3.HeaderMap{Headers: []*corev3.HeaderValue{{Key: envoy.HeaderTenant, RawValue: raw}}}
		}
		attrs := &authv3.AttributeContext{Request: &authv3.AttributeContext_Request{Http: h}}
		if ctxTenant != "" {
			attrs.ContextExtensions = map[string]string{envoy.ContextTenant: ctxTenant}
		}
		in, problems := envoy.Input(&authv3.CheckRequest{Attributes: attrs})
		if len(problems) > 0 || len(in.Validate()) > 0 {
			return
		}
		for field, v := range map[string]string{"tenant": in.Tenant, "user": in.User, "app": in.App, "path": in.Path} {
			if v != "" && model.CheckText(v) != nil {
				t.Fatalf("%s %q accepted: %v", field, v, model.CheckText(v))
			}
		}
		if strings.ContainsAny(in.Path, "?#") {
			t.Fatalf("path %q keeps its query", in.Path)
		}
	})
}
