package api

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// usersSnapshot is handlerSnapshot with a group: dave and erin read
// anything under accounts/A through team.
func usersSnapshot() *model.Snapshot {
	snap := handlerSnapshot()
	snap.Groups = []model.Group{{Meta: model.Meta{ID: "team"}, Users: []model.UserRef{{UserID: "erin"}, {UserID: "dave"}}}}
	snap.Records = append(snap.Records, model.Record{Meta: model.Meta{ID: "r2"}, Status: model.StatusActive,
		Groups:     []model.GroupRef{{GroupID: "team"}},
		Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/A"}}}}})
	return snap
}

func usersPath(uri, query string) string {
	return "/v1/resources/" + url.PathEscape(uri) + "/users?" + query
}

// usersBody checks a 200 body is exactly want.
func usersBody(want string) func(*testing.T, []byte) {
	return func(t *testing.T, raw []byte) {
		t.Helper()
		if diff := cmp.Diff(want, string(raw)); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
	}
}

func TestResourceUsersHandler(t *testing.T) {
	h, _ := handlerRouter(t, usersSnapshot(), Config{})
	invalid := func(fields ...string) response {
		return response{status: 422, code: CodeInvalid, message: "the request is invalid", fields: fields}
	}
	runRoutes(t, h, []routeCase{
		{name: "direct, pattern, ancestor and group", method: "GET", path: usersPath("accounts/A/docs", "permission=read:x"), want: response{status: 200},
			render: usersBody(`{"users":[` +
				`{"user":"alice","via":[{"kind":"record","id":"r1","role":"admin","resource":"accounts/A","grant":true,"delegate":false},` +
				`{"kind":"record","id":"r1","role":"reader","resource":"accounts/*/docs","grant":false,"delegate":false}]},` +
				`{"user":"dave","via":[{"kind":"record","id":"r2","group":"team","role":"reader","resource":"accounts/A","grant":false,"delegate":false}]},` +
				`{"user":"erin","via":[{"kind":"record","id":"r2","group":"team","role":"reader","resource":"accounts/A","grant":false,"delegate":false}]}]}`)},
		{name: "who may grant", method: "GET", path: usersPath("/accounts/A/docs/", "permission=READ:x&grant=true"), want: response{status: 200},
			render: usersBody(`{"users":[{"user":"alice","via":[{"kind":"record","id":"r1","role":"admin","resource":"accounts/A","grant":true,"delegate":false}]}]}`)},
		{name: "a membership", method: "GET", path: usersPath("accounts/B/1", "permission=read&grant=false"), want: response{status: 200},
			render: usersBody(`{"users":[{"user":"carol","via":[{"kind":"membership","id":"m1","role":"reader","resource":"accounts/B","grant":false,"delegate":false}]}]}`)},
		{name: "an unknown resource holds nobody", method: "GET", path: usersPath("nowhere/1", "permission=read"), want: response{status: 200},
			render: usersBody(`{"users":[]}`)},
		{name: "without permission", method: "GET", path: usersPath("accounts/A", ""), want: invalid("permission")},
		{name: "permission twice", method: "GET", path: usersPath("accounts/A", "permission=read&permission=write"), want: invalid("permission")},
		{name: "grant not a boolean", method: "GET", path: usersPath("accounts/A", "permission=read&grant=yes"), want: invalid("grant")},
		{name: "grant twice", method: "GET", path: usersPath("accounts/A", "permission=read&grant=true&grant=false"), want: invalid("grant")},
		{name: "a bad resource", method: "GET", path: usersPath("accounts/../A", "permission=read"), want: invalid("resource")},
		{name: "everything wrong", method: "GET", path: usersPath("a//b", "permission=read::x&grant=1&limit=0&cursor=%25"),
			want: invalid("cursor", "grant", "limit", "permission", "resource")},
		{name: "limit over the maximum", method: "GET", path: usersPath("accounts/A", "permission=read&limit=1001"), want: invalid("limit")},
		{name: "POST is not a lookup", method: "POST", path: usersPath("accounts/A", "permission=read"), body: `{}`, want: response{status: 405, code: "method_not_allowed"}},
	})
}

// Walking the pages one user at a time lists what one request lists.
func TestResourceUsersPages(t *testing.T) {
	h, eng := handlerRouter(t, usersSnapshot(), Config{})
	all, err := eng.WhoHasAccess(t.Context(), engine.WhoQuery{Resource: "accounts/A/docs", Permission: "read:x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Users) < 3 || all.Next != "" {
		t.Fatalf("test bug: %d users (next %q), want several on one page", len(all.Users), all.Next)
	}
	var got []engine.UserAccess
	path := usersPath("accounts/A/docs", "permission=read:x&limit=1")
	for pages := 0; ; pages++ {
		if pages > len(all.Users) {
			t.Fatalf("more pages than users: %v", got)
		}
		w := serve(h, "GET", path, "")
		if w.Code != 200 {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
		var page UsersResponse
		decodeOnly(t, w.Body.Bytes(), &page)
		if len(page.Users) != 1 {
			t.Fatalf("GET %s: %d users, want 1 per page", path, len(page.Users))
		}
		got = append(got, page.Users...)
		if page.Cursor == "" {
			break
		}
		path = usersPath("accounts/A/docs", "permission=read:x&limit=1&cursor="+url.QueryEscape(page.Cursor))
	}
	if diff := cmp.Diff(all.Users, got); diff != "" {
		t.Errorf("users over all pages (-one request +pages):\n%s", diff)
	}
}
