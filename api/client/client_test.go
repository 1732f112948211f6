package client_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// seen is what a fake server received.
type seen struct {
	Method, Path, RawPath, Query string
	Header                       http.Header
	Body                         string
}

// fake answers every request with status and body, recording it.
func fake(t *testing.T, status int, body string, header ...string) (*httptest.Server, *seen) {
	t.Helper()
	got := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		*got = seen{r.Method, r.URL.Path, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(raw)}
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestNew(t *testing.T) {
	tests := []struct {
		base string
		ok   bool
	}{
		{"http://127.0.0.1:8181", true},
		{"https://gate.example/prefix/", true},
		{"127.0.0.1:8181", false},
		{"ftp://host", false},
		{"http://", false},
		{"http://host/?a=b", false},
		{"http://host/#x", false},
		{"http://host/%zz", false},
	}
	for _, tt := range tests {
		if _, err := client.New(tt.base); (err == nil) != tt.ok {
			t.Errorf("New(%q): error %v, want ok %v", tt.base, err, tt.ok)
		}
	}
}

// TestRequests: each method sends its method, escaped path, query,
// headers and body as the API reads them.
func TestRequests(t *testing.T) {
	in := engine.Input{User: "u1", Resource: "accounts/A", Permission: "read"}
	tests := []struct {
		name      string
		call      func(*client.Client) error
		method    string
		path      string // escaped
		query     string
		body      string
		header    map[string]string
		withoutHd []string
	}{
		{"authorize", func(c *client.Client) error { _, err := c.Authorize(t.Context(), in); return err },
			"POST", "/pre/v1/authorize", "", `{"user":"u1","resource":"accounts/A","permission":"read"}`, nil, nil},
		{"explain", func(c *client.Client) error { _, err := c.Explain(t.Context(), in); return err },
			"POST", "/pre/v1/authorize", "explain=true", `{"user":"u1","resource":"accounts/A","permission":"read"}`, nil, nil},
		{"batch", func(c *client.Client) error { _, err := c.AuthorizeBatch(t.Context(), []engine.Input{in}); return err },
			"POST", "/pre/v1/authorize/batch", "", `{"checks":[{"user":"u1","resource":"accounts/A","permission":"read"}]}`, nil, nil},
		{"route", func(c *client.Client) error {
			_, err := c.AuthorizeHTTP(t.Context(), engine.HTTPInput{Tenant: "t1", Method: "GET", Path: "/v1/x", App: "a:b"})
			return err
		}, "POST", "/pre/v1/authorize/http", "", `{"tenant":"t1","method":"GET","path":"/v1/x","app":"a:b"}`, nil, nil},
		{"permissions", func(c *client.Client) error { _, err := c.Permissions(t.Context(), "u/1", "accounts/A b"); return err },
			"GET", "/pre/v1/users/u%2F1/resources/accounts%2FA%20b/permissions", "", "", nil, nil},
		{"check", func(c *client.Client) error {
			_, err := c.CheckPermission(t.Context(), "u1", "accounts/A", "read:*")
			return err
		},
			"GET", "/pre/v1/users/u1/resources/accounts%2FA/permissions/read:%2A", "", "", nil, nil},
		{"memberships", func(c *client.Client) error { _, err := c.Memberships(t.Context(), "u1", "cust/c1"); return err },
			"GET", "/pre/v1/users/u1/memberships", "context=cust%2Fc1", "", nil, nil},
		{"resources", func(c *client.Client) error {
			_, err := c.Resources(t.Context(), client.ResourcesQuery{User: "u1", Permission: "chats:read", Prefix: "accounts"}, client.Page{Cursor: "abc", Limit: 5})
			return err
		}, "GET", "/pre/v1/users/u1/resources", "cursor=abc&limit=5&permission=chats%3Aread&prefix=accounts", "", nil, nil},
		{"access", func(c *client.Client) error { _, err := c.Access(t.Context(), "u1", client.Page{Limit: 2}); return err },
			"GET", "/pre/v1/users/u1/access", "limit=2", "", nil, nil},
		{"who has access", func(c *client.Client) error {
			_, err := c.WhoHasAccess(t.Context(), client.UsersQuery{Resource: "accounts/A", Permission: "read", Grant: true}, client.Page{Cursor: "c"})
			return err
		}, "GET", "/pre/v1/resources/accounts%2FA/users", "cursor=c&grant=true&permission=read", "", nil, nil},
		{"status", func(c *client.Client) error { _, err := c.Status(t.Context()); return err },
			"GET", "/pre/v1/status", "", "", nil, nil},
		{"ready", func(c *client.Client) error { _, err := c.Ready(t.Context()); return err },
			"GET", "/pre/ready", "", "", nil, nil},
		{"get group", func(c *client.Client) error { _, err := c.Groups().Get(t.Context(), "tenants/t/g"); return err },
			"GET", "/pre/v1/groups/tenants%2Ft%2Fg", "", "", nil, nil},
		{"list", func(c *client.Client) error {
			_, err := c.Tenants().List(t.Context(), client.Page{Limit: 3})
			return err
		},
			"GET", "/pre/v1/tenants", "limit=3", "", nil, nil},
		{"put with options", func(c *client.Client) error {
			_, err := c.Extensions().Put(t.Context(), "e1", model.Extension{Name: "E"}, client.IfMatch(3), client.OnBehalfOf("bob"))
			return err
		}, "PUT", "/pre/v1/extensions/e1", "", "", map[string]string{"If-Match": `"3"`, "X-Gatehouse-User": "bob"}, nil},
		{"create if absent", func(c *client.Client) error {
			_, err := c.Installations().Create(t.Context(), model.Installation{}, client.IfMatch(0))
			return err
		}, "POST", "/pre/v1/installations", "", "", map[string]string{"If-Match": `"0"`}, []string{"X-Gatehouse-User"}},
		{"forced delete", func(c *client.Client) error {
			_, err := c.Roles().Delete(t.Context(), "r1", client.Force())
			return err
		},
			"DELETE", "/pre/v1/roles/r1", "force=true", "", nil, []string{"If-Match", "X-Gatehouse-User", "Content-Type"}},
		{"evaluation", func(c *client.Client) error {
			_, err := c.Evaluation(t.Context(), client.Evaluation{Subject: &client.Subject{Type: "user", ID: "u1"}})
			return err
		}, "POST", "/pre/access/v1/evaluation", "", `{"subject":{"type":"user","id":"u1"}}`, map[string]string{"Content-Type": "application/json"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, got := fake(t, http.StatusOK, `{}`)
			c := newClient(t, srv.URL+"/pre", client.WithAPIKey("secret-key"))
			if err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			if got.Method != tt.method || got.RawPath != tt.path || got.Query != tt.query {
				t.Errorf("sent %s %s ? %s, want %s %s ? %s", got.Method, got.RawPath, got.Query, tt.method, tt.path, tt.query)
			}
			if tt.body != "" && got.Body != tt.body {
				t.Errorf("body %s, want %s", got.Body, tt.body)
			}
			if a := got.Header.Get("Authorization"); a != "Bearer secret-key" {
				t.Errorf("Authorization %q", a)
			}
			for k, v := range tt.header {
				if got.Header.Get(k) != v {
					t.Errorf("header %s: %q, want %q", k, got.Header.Get(k), v)
				}
			}
			for _, k := range tt.withoutHd {
				if _, ok := got.Header[k]; ok {
					t.Errorf("header %s sent, want none", k)
				}
			}
		})
	}
}

// TestErrors: a non-2xx answer is an *Error holding the error body, and
// the helpers classify it by status.
func TestErrors(t *testing.T) {
	problems := []model.Problem{{Field: "user", Message: "is required"}, {Field: "permission", Message: "is required"}}
	body, _ := json.Marshal(client.ErrorBody{Code: "invalid_input", Message: "the request is invalid", Errors: problems})
	tests := []struct {
		name   string
		status int
		body   string
		want   client.Error
		is     func(error) bool
	}{
		{"invalid", 422, string(body), client.Error{Status: 422, Code: "invalid_input", Message: "the request is invalid", Problems: problems}, client.IsInvalid},
		{"not found", 404, `{"code":"not_found","message":"no such document"}`, client.Error{Status: 404, Code: "not_found", Message: "no such document"}, client.IsNotFound},
		{"conflict", 409, `{"code":"conflict","message":"m","errors":[{"field":"f","message":"x"}]}`,
			client.Error{Status: 409, Code: "conflict", Message: "m", Problems: []model.Problem{{Field: "f", Message: "x"}}}, client.IsConflict},
		{"forbidden", 403, `{"code":"forbidden","message":"no"}`, client.Error{Status: 403, Code: "forbidden", Message: "no"}, client.IsForbidden},
		{"unauthorized", 401, `{"code":"unauthorized","message":"key"}`, client.Error{Status: 401, Code: "unauthorized", Message: "key"}, client.IsUnauthorized},
		{"a proxy's page", 502, "<html>bad gateway</html>", client.Error{Status: 502, Message: "<html>bad gateway</html>"}, func(err error) bool { return !client.IsNotFound(err) }},
		{"empty", 500, "", client.Error{Status: 500, Message: "Internal Server Error"}, func(err error) bool { return !client.IsUnavailable(err) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := fake(t, tt.status, tt.body)
			_, err := newClient(t, srv.URL).Roles().Get(t.Context(), "r")
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if diff := cmp.Diff(tt.want, *e); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !tt.is(err) {
				t.Errorf("the helper does not classify %v", err)
			}
		})
	}
	t.Run("text lists every problem", func(t *testing.T) {
		e := &client.Error{Status: 422, Code: "invalid_input", Message: "bad", Problems: problems}
		if got, want := e.Error(), "gatehouse: 422 invalid_input: bad; user: is required; permission: is required"; got != want {
			t.Errorf("%q, want %q", got, want)
		}
	})
}

// TestDecodesNewRoutes decodes the answers of the routes other helpers
// are building, as the shared shapes give them.
func TestDecodesNewRoutes(t *testing.T) {
	exp := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	t.Run("who has access", func(t *testing.T) {
		srv, _ := fake(t, 200, `{"users":[{"user":"u1","via":[{"kind":"record","id":"r1","group":"g1","role":"viewer","resource":"accounts/A","grant":false,"delegate":true}]}],"cursor":"opaque"}`)
		got, err := newClient(t, srv.URL).WhoHasAccess(t.Context(), client.UsersQuery{Resource: "accounts/A", Permission: "read"}, client.Page{})
		want := client.UsersResponse{Cursor: "opaque", Users: []client.UserAccess{{User: "u1", Via: []client.Via{
			{Kind: "record", ID: "r1", Group: "g1", Role: "viewer", Resource: "accounts/A", Delegate: true}}}}}
		if err != nil || !cmp.Equal(want, got) {
			t.Errorf("got %+v, %v; diff %s", got, err, cmp.Diff(want, got))
		}
	})
	t.Run("access", func(t *testing.T) {
		srv, _ := fake(t, 200, `{"grants":[{"kind":"record","id":"r1","group":"g1","role":"viewer","resource":"accounts/A","expires":"2027-01-02T03:04:05Z","permissions":[{"action":"read:*","allow":true,"grant":false,"delegate":false}]}],"cursor":"c2"}`)
		got, err := newClient(t, srv.URL).Access(t.Context(), "u1", client.Page{})
		want := client.AccessResponse{Cursor: "c2", Grants: []client.AccessGrant{{Kind: "record", ID: "r1", Group: "g1", Role: "viewer",
			Resource: "accounts/A", Expires: &exp, Permissions: []engine.HeldPermission{{Action: "read:*", Allow: true}}}}}
		if err != nil || !cmp.Equal(want, got) {
			t.Errorf("got %+v, %v; diff %s", got, err, cmp.Diff(want, got))
		}
	})
	t.Run("explain", func(t *testing.T) {
		srv, _ := fake(t, 200, `{"allowed":false,"decision_id":"d1","revision":4,"reasons":[],"denied_by":"user","explanation":{"paths":[],
			"near_misses":[{"reason":"action","message":"holds chats:read on accounts/A but not chats:write","principal":"user","user":"u1","group":"g1","kind":"record","id":"r1","role":"viewer","permission":"chats:read","resource":"accounts/A"}],
			"extension":{"installation":"i1","scope":[{"resource":"accounts/A","covers":true}],"consented":[],"requested":[],"covers":{"status":true,"scope":true,"consent":false,"requested":true}}}}`)
		got, err := newClient(t, srv.URL).Explain(t.Context(), engine.Input{User: "u1", Resource: "accounts/A", Permission: "chats:write"})
		user := "user"
		want := client.ExplainedDecision{
			Decision: engine.Decision{DecisionID: "d1", Revision: 4, Reasons: []engine.Reason{}, DeniedBy: &user},
			Explanation: engine.Explanation{Paths: []engine.ExplainPath{}, NearMisses: []engine.NearMiss{{Reason: "action",
				Message:     "holds chats:read on accounts/A but not chats:write",
				ExplainPath: engine.ExplainPath{Principal: "user", User: "u1", Group: "g1", Kind: "record", ID: "r1", Role: "viewer", Permission: "chats:read", Resource: "accounts/A"}}},
				Extension: &engine.ExtensionSide{Installation: "i1", Scope: []engine.SideResource{{Resource: "accounts/A", Covers: true}},
					Consented: []engine.SidePermission{}, Requested: []engine.SidePermission{},
					Covers: engine.Coverage{Status: true, Scope: true, Requested: true}}},
		}
		if err != nil || !cmp.Equal(want, got) {
			t.Errorf("got %+v, %v; diff %s", got, err, cmp.Diff(want, got))
		}
	})
}

// pager serves 7 items in pages, following the cursor (the index of the
// next item), and counts the pages served.
func pager(t *testing.T, key string, fail int) (*httptest.Server, *[]url.Values) {
	t.Helper()
	var queries []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		queries = append(queries, q)
		if len(queries) == fail {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"code":"invalid_input","message":"bad cursor"}`))
			return
		}
		start := 0
		if c := q.Get("cursor"); c != "" {
			start = int(c[0] - '0')
		}
		end := min(start+2, 7)
		var items []any
		for i := start; i < end; i++ {
			items = append(items, item(key, i))
		}
		body := map[string]any{key: items}
		if end < 7 {
			body["cursor"] = string(rune('0' + end))
		}
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &queries
}

func item(key string, i int) any {
	name := string(rune('a' + i))
	switch key {
	case "resources":
		return map[string]string{"resourceUri": name}
	case "users":
		return map[string]any{"user": name, "via": []any{}}
	case "grants":
		return map[string]any{"kind": "record", "id": name}
	}
	return map[string]any{"_id": name}
}

// TestIterators: each iterator follows the cursor to the end, stops
// fetching when the loop breaks, and yields a failure once.
func TestIterators(t *testing.T) {
	all := []string{"a", "b", "c", "d", "e", "f", "g"}
	collect := map[string]func(*client.Client, int) ([]string, error){
		"resources": func(c *client.Client, stop int) ([]string, error) {
			return drain(c.AllResources(t.Context(), client.ResourcesQuery{User: "u", Permission: "p"}, 2), stop, func(s string) string { return s })
		},
		"users": func(c *client.Client, stop int) ([]string, error) {
			return drain(c.AllWhoHasAccess(t.Context(), client.UsersQuery{Resource: "r", Permission: "p"}, 2), stop, func(u client.UserAccess) string { return u.User })
		},
		"grants": func(c *client.Client, stop int) ([]string, error) {
			return drain(c.AllAccess(t.Context(), "u", 2), stop, func(g client.AccessGrant) string { return g.ID })
		},
		"roles": func(c *client.Client, stop int) ([]string, error) {
			return drain(c.Roles().All(t.Context(), 2), stop, func(r model.Role) string { return r.ID })
		},
	}
	for key, run := range collect {
		t.Run(key+" every page", func(t *testing.T) {
			srv, queries := pager(t, key, 0)
			got, err := run(newClient(t, srv.URL), 0)
			if err != nil || !slices.Equal(got, all) {
				t.Errorf("got %v, %v; want %v", got, err, all)
			}
			if len(*queries) != 4 || (*queries)[3].Get("cursor") != "6" || (*queries)[0].Get("limit") != "2" {
				t.Errorf("queries %v, want 4 pages of 2 following the cursor", *queries)
			}
		})
		t.Run(key+" break", func(t *testing.T) {
			srv, queries := pager(t, key, 0)
			got, err := run(newClient(t, srv.URL), 3)
			if err != nil || !slices.Equal(got, all[:3]) || len(*queries) != 2 {
				t.Errorf("got %v, %v after %d pages; want %v after 2", got, err, len(*queries), all[:3])
			}
		})
		t.Run(key+" failure", func(t *testing.T) {
			srv, _ := pager(t, key, 2)
			got, err := run(newClient(t, srv.URL), 0)
			if !client.IsInvalid(err) || !slices.Equal(got, all[:2]) {
				t.Errorf("got %v, %v; want the first page then a 422", got, err)
			}
		})
	}
}

// drain collects the names an iterator yields, stopping after stop items
// (0: never), and returns the first error.
func drain[T any](seq func(func(T, error) bool), stop int, name func(T) string) ([]string, error) {
	var out []string
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, name(v))
		if len(out) == stop {
			break
		}
	}
	return out, nil
}

// asError is errors.As for *client.Error.
func asError(err error, e **client.Error) bool { return errors.As(err, e) }

// TestWriteAnswers: a write's answer is read from its status and headers:
// created, stored but pending a sync (202), its ETag and Location.
func TestWriteAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header []string
		create bool
		want   client.Written[model.Tenant]
	}{
		{"created", 201, []string{"ETag", `"1"`}, false, client.Written[model.Tenant]{Doc: model.Tenant{Name: "T"}, ETag: `"1"`, Created: true}},
		{"replaced", 200, []string{"ETag", `"4"`}, false, client.Written[model.Tenant]{Doc: model.Tenant{Name: "T"}, ETag: `"4"`}},
		{"pending", 202, []string{"ETag", `"2"`, client.PendingHeader, "sync"}, false, client.Written[model.Tenant]{Doc: model.Tenant{Name: "T"}, ETag: `"2"`, Pending: true}},
		{"create", 201, []string{"ETag", `"1"`, "Location", "/v1/tenants/t1"}, true,
			client.Written[model.Tenant]{Doc: model.Tenant{Name: "T"}, ETag: `"1"`, Created: true, Location: "/v1/tenants/t1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := fake(t, tt.status, `{"name":"T"}`, tt.header...)
			tenants := newClient(t, srv.URL).Tenants()
			var got client.Written[model.Tenant]
			var err error
			if tt.create {
				got, err = tenants.Create(t.Context(), model.Tenant{Name: "T"})
			} else {
				got, err = tenants.Put(t.Context(), "t1", model.Tenant{Name: "T"})
			}
			if err != nil || !cmp.Equal(tt.want, got) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		status  int
		header  []string
		pending bool
	}{{204, nil, false}, {202, []string{client.PendingHeader, "sync"}, true}} {
		srv, _ := fake(t, tt.status, "", tt.header...)
		d, err := newClient(t, srv.URL).Tenants().Delete(t.Context(), "t1")
		if err != nil || d.Pending != tt.pending {
			t.Errorf("delete answered %d: %+v, %v; want pending %v", tt.status, d, err, tt.pending)
		}
	}
}
