package manage

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

func TestManageCRUD(t *testing.T) {
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	role := map[string]any{"name": "Editor", "permissions": []map[string]any{{"action": "chats:write"}}}

	var created struct {
		ID      string `json:"_id"`
		Version int64
	}
	g.JSON(http.MethodPut, "/v1/roles/editor", role, http.StatusCreated, &created)
	if created.ID != "editor" || created.Version != 1 {
		t.Fatalf("created %+v", created)
	}
	g.JSON(http.MethodPut, "/v1/roles/editor", role, http.StatusOK, &created)
	if created.Version != 2 {
		t.Fatalf("version after update %d, want 2", created.Version)
	}
	code, body := g.DoWith(http.MethodPut, "/v1/roles/editor", role, map[string]string{"If-Match": `"1"`})
	if code != http.StatusConflict {
		t.Fatalf("stale If-Match: %d %s", code, body)
	}
	code, _ = g.DoWith(http.MethodPut, "/v1/roles/editor", role, map[string]string{"If-Match": `"2"`})
	if code != http.StatusOK {
		t.Fatalf("current If-Match: %d", code)
	}
	code, _ = g.DoWith(http.MethodPut, "/v1/roles/editor", role, map[string]string{"If-Match": "nope"})
	if code != http.StatusBadRequest {
		t.Fatalf("malformed If-Match: %d", code)
	}
	g.JSON(http.MethodGet, "/v1/roles/editor", nil, http.StatusOK, &created)
	if created.Version != 3 {
		t.Fatalf("GET version %d, want 3", created.Version)
	}
	if code, _ := g.Do(http.MethodDelete, "/v1/roles/editor", nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		if code, _ := g.Do(m, "/v1/roles/editor", nil); code != http.StatusNotFound {
			t.Errorf("%s after delete: %d, want 404", m, code)
		}
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
	cursor := ""
	for range 10 {
		var page struct {
			Roles []struct {
				ID string `json:"_id"`
			}
			Cursor string
		}
		g.JSON(http.MethodGet, "/v1/roles?limit=3&cursor="+cursor, nil, http.StatusOK, &page)
		if len(page.Roles) > 3 {
			t.Fatalf("page of %d, limit 3", len(page.Roles))
		}
		for _, r := range page.Roles {
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
	g.JSON(http.MethodPut, "/v1/policies/weekdays", map[string]string{"source": src}, http.StatusCreated, nil)
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
