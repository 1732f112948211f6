package manage

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

func TestManageCRUD(t *testing.T) {
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	ctx, roles := t.Context(), g.Client().Roles()
	role := model.Role{Name: "Editor", Permissions: []model.Permission{{Action: "chats:write"}}}

	w, err := roles.Put(ctx, "editor", role)
	if err != nil || !w.Created || w.Doc.ID != "editor" || w.Doc.Version != 1 || w.ETag != `"1"` {
		t.Fatalf("created %+v, %v", w, err)
	}
	w, err = roles.Put(ctx, "editor", role)
	if err != nil || w.Created || w.Doc.Version != 2 {
		t.Fatalf("update: %+v, %v; want version 2, not created", w, err)
	}
	if _, err := roles.Put(ctx, "editor", role, client.IfMatch(1)); !client.IsConflict(err) {
		t.Fatalf("stale If-Match: %v, want 409", err)
	}
	if _, err := roles.Put(ctx, "editor", role, client.IfMatch(2)); err != nil {
		t.Fatalf("current If-Match: %v", err)
	}
	// a malformed If-Match cannot be sent through the client
	code, _ := g.DoWith(http.MethodPut, "/v1/roles/editor", map[string]any{"name": "Editor"}, map[string]string{"If-Match": "nope"})
	if code != http.StatusBadRequest {
		t.Fatalf("malformed If-Match: %d", code)
	}
	got, err := roles.Get(ctx, "editor")
	if err != nil || got.Version != 3 {
		t.Fatalf("GET: %+v, %v; want version 3", got, err)
	}
	if d, err := roles.Delete(ctx, "editor"); err != nil || d.Pending {
		t.Fatalf("delete: %+v, %v", d, err)
	}
	if _, err := roles.Get(ctx, "editor"); !client.IsNotFound(err) {
		t.Errorf("GET after delete: %v, want 404", err)
	}
	if _, err := roles.Delete(ctx, "editor"); !client.IsNotFound(err) {
		t.Errorf("DELETE after delete: %v, want 404", err)
	}
}

func TestManageValidation(t *testing.T) {
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	tests := []struct {
		name, path string
		body       any
		status     int
		fields     []string
	}{
		{"record with every problem", "/v1/records/bad", map[string]any{
			"status": "MAYBE", "users": []map[string]string{{"userId": "u"}},
			"statements": []map[string]any{{"roles": []string{"ghost"}, "users": []map[string]string{{"userId": "v"}},
				"resources": []map[string]string{{"resourceUri": "a//b"}}}},
		}, 422, []string{"status", "statements[0].resources[0].resourceUri", "statements[0]", "statements[0].roles[0]"}},
		{"installation of unknown extension", "/v1/installations/bad", map[string]any{
			"extensionId": "nope", "context": "accounts/acme", "status": "ACTIVE", "consentedPermissions": []string{"read::x"},
		}, 422, []string{"consentedPermissions[0]", "extensionId"}},
		{"membership with no roles", "/v1/memberships/bad", map[string]any{"userId": "", "context": "/"}, 422,
			[]string{"userId", "context", "roles"}},
		{"id mismatch", "/v1/tenants/t9", map[string]any{"_id": "t8", "name": "x"}, 422, []string{"_id"}},
		{"policy that does not compile", "/v1/policies/p1", map[string]any{"source": "package custom.p1\n\nx := \n"}, 422, []string{"source"}},
		{"unknown field", "/v1/tenants/t9", map[string]any{"nmae": "x"}, 422, []string{"nmae"}},
		{"malformed", "/v1/tenants/t9", "{", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if s, ok := body.(string); ok {
				body = []byte(s)
			}
			var e api.ErrorBody
			g.JSON(http.MethodPut, tt.path, body, tt.status, &e)
			var fields []string
			for _, p := range e.Errors {
				fields = append(fields, p.Field)
			}
			if tt.fields != nil {
				if diff := cmp.Diff(tt.fields, fields); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			}
			if code, _ := g.Do(http.MethodGet, tt.path, nil); code != http.StatusNotFound {
				t.Errorf("invalid document was stored (GET %d)", code)
			}
		})
	}
}

func TestManageListPages(t *testing.T) {
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	var ids []string
	roles := g.Client().Roles()
	cursor := ""
	for range 10 {
		page, err := roles.List(t.Context(), client.Page{Cursor: cursor, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Docs) > 3 {
			t.Fatalf("page of %d, limit 3", len(page.Docs))
		}
		for _, r := range page.Docs {
			ids = append(ids, r.ID)
		}
		if cursor = page.Cursor; cursor == "" {
			break
		}
	}
	want := []string{"account-admin", "chat-reader", "project-viewer", "retired"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
}

func TestCustomPolicyThroughAPI(t *testing.T) {
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	src := "package custom.weekdays\n\nimport data.gatehouse.authz\n\nallow if authz.allow\n"
	if w, err := g.Client().Policies().Put(t.Context(), "weekdays", model.Policy{Source: src}); err != nil || !w.Created {
		t.Fatalf("PUT policy: %+v, %v; want created", w, err)
	}
	var out struct{ Result bool }
	in := map[string]any{"input": map[string]string{"user": "alice", "resource": "accounts/acme", "permission": "chats:read"}}
	g.JSON(http.MethodPost, "/v1/data/custom/weekdays/allow", in, http.StatusOK, &out)
	if !out.Result {
		t.Fatal("custom policy not evaluated after its write")
	}
}

func TestAPIKeyScopes(t *testing.T) {
	_, uri := testkit.StoreWithDemo(t)
	keys := []api.Key{
		{Name: "svc", Secret: "decide-secret-0123456789", Scopes: []string{api.ScopeDecide}},
		{Name: "ops", Secret: "admin-secret-0123456789", Scopes: []string{api.ScopeAdmin}},
	}
	g := testkit.StartOn(t, uri, func(c *server.Config) { c.Keys = keys })
	check := map[string]string{"user": "alice", "resource": "accounts/acme", "permission": "chats:read"}
	bearer := func(k string) map[string]string { return map[string]string{"Authorization": "Bearer " + k} }
	tests := []struct {
		name, method, path string
		body               any
		headers            map[string]string
		status             int
	}{
		{"no key", http.MethodPost, "/v1/authorize", check, nil, 401},
		{"unknown key", http.MethodPost, "/v1/authorize", check, bearer("wrong-key-0123456789"), 401},
		{"decide key decides", http.MethodPost, "/v1/authorize", check, bearer(keys[0].Secret), 200},
		{"decide key cannot read", http.MethodGet, "/v1/roles", nil, bearer(keys[0].Secret), 403},
		{"decide key cannot write", http.MethodPut, "/v1/tenants/t2", map[string]string{"name": "x"}, bearer(keys[0].Secret), 403},
		{"admin key writes", http.MethodPut, "/v1/tenants/t2", map[string]string{"name": "x"}, bearer(keys[1].Secret), 201},
		{"health is open", http.MethodGet, "/health", nil, nil, 200},
		{"decide key cannot pull bundles", http.MethodGet, "/v1/bundles/gatehouse", nil, bearer(keys[0].Secret), 403},
		{"bundles need a key", http.MethodGet, "/v1/bundles/gatehouse", nil, nil, 401},
		{"admin key pulls bundles", http.MethodGet, "/v1/bundles/gatehouse", nil, bearer(keys[1].Secret), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := g.DoWith(tt.method, tt.path, tt.body, tt.headers)
			if code != tt.status {
				t.Fatalf("%d, want %d: %s", code, tt.status, body)
			}
			if code >= 400 {
				var e api.ErrorBody
				if err := json.Unmarshal(body, &e); err != nil || e.Code == "" {
					t.Errorf("error body %s", body)
				}
			}
		})
	}
}
