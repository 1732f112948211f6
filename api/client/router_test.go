package client_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/engine"
)

// TestAgainstRouter calls the real router through the client for the
// routes the examples leave out: every answer decodes into the client's
// types with the values the data gives.
func TestAgainstRouter(t *testing.T) {
	srv := startServer(exampleSnapshot())
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, client.WithAPIKey(exampleKey))
	ctx := t.Context()

	t.Run("health", func(t *testing.T) {
		r, err := c.Ready(ctx)
		if err != nil || r.Status != "ready" || r.Revision == 0 {
			t.Errorf("ready %+v, %v", r, err)
		}
		st, err := c.Status(ctx)
		if err != nil || !st.Ready || st.Documents["records"] != 2 || st.LoadedAt == nil || st.Uptime == "" {
			t.Errorf("status %+v, %v", st, err)
		}
	})
	t.Run("route without apps", func(t *testing.T) {
		d, err := c.AuthorizeHTTP(ctx, engine.HTTPInput{Tenant: "acme", Method: "GET", Path: "/v1/x", User: "bob"})
		if err != nil || d.Allowed || d.DeniedBy == nil || *d.DeniedBy != engine.DeniedNoRoute || d.Route != nil {
			t.Errorf("route decision %+v, %v", d, err)
		}
	})
	t.Run("check permission", func(t *testing.T) {
		d, err := c.CheckPermission(ctx, "bob", "accounts/acme/chats/1", "chats:delete")
		if err != nil || !d.Allowed || d.Reasons[0].ID != "editors-edit" {
			t.Errorf("held: %+v, %v", d, err)
		}
		_, err = c.CheckPermission(ctx, "bob", "accounts/acme", "chats:delete")
		var e *client.Error
		if !client.IsNotFound(err) || !asError(err, &e) || e.Code != client.CodeNoPermission {
			t.Errorf("not held: %v, want a 404 %s", err, client.CodeNoPermission)
		}
	})
	t.Run("memberships", func(t *testing.T) {
		ms, err := c.Memberships(ctx, "bob", "accounts/globex/x")
		want := []engine.UserMembership{{ID: "bob-globex", Context: "accounts/globex", Inherited: true, Roles: []string{"reader"},
			Permissions: []engine.HeldPermission{{Action: "read:*", Allow: true}}}}
		if err != nil || !cmp.Equal(ms, want) {
			t.Errorf("memberships %+v, %v", ms, err)
		}
	})
	t.Run("authzen", func(t *testing.T) {
		alice := &client.Subject{Type: "user", ID: "alice"}
		read := &client.Action{Name: "read"}
		d, err := c.Evaluation(ctx, client.Evaluation{Subject: alice, Action: read, Resource: &client.Resource{Type: "accounts", ID: "acme"}})
		if err != nil || !d.Decision || d.Context == nil || d.Context.Reasons[0].ID != "alice-reads" {
			t.Errorf("evaluation %+v, %v", d, err)
		}
		ds, err := c.Evaluations(ctx, client.Evaluations{
			Evaluation: client.Evaluation{Subject: alice, Action: read},
			Evaluations: []client.Evaluation{
				{Resource: &client.Resource{Type: "accounts", ID: "acme"}},
				{Resource: &client.Resource{Type: "accounts", ID: "globex"}},
				{Resource: &client.Resource{Type: "", ID: "x"}},
			},
		})
		got := []bool{}
		for _, d := range ds {
			got = append(got, d.Decision)
		}
		if err != nil || !cmp.Equal(got, []bool{true, false, false}) || ds[2].Context.Error == nil || ds[2].Context.Error.Status != 400 {
			t.Errorf("evaluations %+v, %v", ds, err)
		}
		ds, err = c.Evaluations(ctx, client.Evaluations{Evaluation: client.Evaluation{Subject: alice, Action: read, Resource: &client.Resource{Type: "accounts", ID: "acme"}}})
		if err != nil || len(ds) != 1 || !ds[0].Decision {
			t.Errorf("evaluations without entries %+v, %v", ds, err)
		}
		_, err = c.Evaluation(ctx, client.Evaluation{Action: read})
		if e := (*client.Error)(nil); !asError(err, &e) || e.Status != 400 || len(e.Problems) == 0 {
			t.Errorf("bad evaluation: %v, want a 400 listing problems", err)
		}
	})
	t.Run("list pages", func(t *testing.T) {
		p, err := c.Roles().List(ctx, client.Page{Limit: 1})
		if err != nil || len(p.Docs) != 1 || p.Docs[0].ID != "editor" || p.Cursor == "" {
			t.Fatalf("first page %+v, %v", p, err)
		}
		p, err = c.Roles().List(ctx, client.Page{Limit: 1, Cursor: p.Cursor})
		if err != nil || len(p.Docs) != 1 || p.Docs[0].ID != "reader" || p.Cursor != "" {
			t.Errorf("last page %+v, %v", p, err)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		_, err := newClient(t, srv.URL, client.WithAPIKey("wrong-key-0123456789")).Status(ctx)
		if !client.IsUnauthorized(err) {
			t.Errorf("error %v, want a 401", err)
		}
	})
}
