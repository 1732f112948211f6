package api

import (
	"context"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/engine"
)

func TestUserLookupHandlers(t *testing.T) {
	h, eng := handlerRouter(t, handlerSnapshot(), Config{})
	ctx := context.Background()
	res := func(uri string) string { return "/v1/users/alice/resources/" + url.PathEscape(uri) }
	invalid := func(fields ...string) response {
		return response{status: 422, code: CodeInvalid, message: "the request is invalid", fields: fields}
	}
	permissions := func(user, uri string) func(*testing.T, []byte) {
		return func(t *testing.T, raw []byte) {
			var got PermissionsResponse
			decodeOnly(t, raw, &got)
			want, err := eng.Permissions(ctx, user, uri)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("test bug: the engine lists no permissions")
			}
			if diff := cmp.Diff(want, got.Permissions); diff != "" {
				t.Errorf("permissions (-engine +body):\n%s", diff)
			}
		}
	}
	memberships := func(user, context string) func(*testing.T, []byte) {
		return func(t *testing.T, raw []byte) {
			var got MembershipsResponse
			decodeOnly(t, raw, &got)
			want, err := eng.Memberships(ctx, user, context)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("test bug: the engine lists no memberships")
			}
			if diff := cmp.Diff(want, got.Memberships); diff != "" {
				t.Errorf("memberships (-engine +body):\n%s", diff)
			}
		}
	}
	runRoutes(t, h, []routeCase{
		// GET .../resources/{uri}/permissions/{action}: the decision, or 404.
		{name: "check held", method: "GET", path: res("accounts/A/x") + "/permissions/read", want: response{status: 200},
			render: isDecision(eng, engine.Input{User: "alice", Resource: "accounts/A/x", Permission: "read"})},
		{name: "check not held", method: "GET", path: "/v1/users/bob/resources/" + url.PathEscape("accounts/A") + "/permissions/read",
			want: response{status: 404, code: CodeNoPermission, message: "the user does not have this permission on this resource"}},
		{name: "check of a bad resource", method: "GET", path: res("accounts//A") + "/permissions/read", want: invalid("resource")},
		{name: "check of a bad action", method: "GET", path: res("accounts/A") + "/permissions/read::x", want: invalid("permission")},
		// GET .../resources/{uri}/permissions: what the engine lists.
		{name: "permissions", method: "GET", path: res("accounts/A/x") + "/permissions", want: response{status: 200},
			render: permissions("alice", "accounts/A/x")},
		{name: "permissions of a bad resource", method: "GET", path: res("a//b") + "/permissions", want: invalid("resource")},
		// GET .../memberships?context=: what the engine lists.
		{name: "memberships", method: "GET", path: "/v1/users/carol/memberships?context=accounts/B/x", want: response{status: 200},
			render: memberships("carol", "accounts/B/x")},
		{name: "memberships without context", method: "GET", path: "/v1/users/carol/memberships", want: invalid("context")},
		{name: "memberships of a bad context", method: "GET", path: "/v1/users/carol/memberships?context=" + url.QueryEscape("a//b"), want: invalid("context")},
		// GET .../resources: paging parameters and the question, every problem listed.
		{name: "resources without permission", method: "GET", path: "/v1/users/alice/resources", want: invalid("permission")},
		{name: "resources limit zero", method: "GET", path: "/v1/users/alice/resources?permission=read&limit=0", want: invalid("limit")},
		{name: "resources limit over the maximum", method: "GET", path: "/v1/users/alice/resources?permission=read&limit=1001", want: invalid("limit")},
		{name: "resources limit not a number", method: "GET", path: "/v1/users/alice/resources?permission=read&limit=ten", want: invalid("limit")},
		{name: "resources bad cursor", method: "GET", path: "/v1/users/alice/resources?permission=read&cursor=%25%25", want: invalid("cursor")},
		{name: "resources everything wrong", method: "GET", path: "/v1/users/alice/resources?permission=read::x&limit=x&cursor=%25&prefix=a//b",
			want: invalid("cursor", "limit", "permission", "prefix")},
		{name: "POST is not a lookup", method: "POST", path: "/v1/users/alice/resources", body: `{}`, want: response{status: 405, code: "method_not_allowed"}},
	})
}

// TestUserResourcesPages walks GET /v1/users/{userId}/resources a page at a
// time: every resource the engine lists comes once, sorted, and the last
// page has no cursor.
func TestUserResourcesPages(t *testing.T) {
	h, eng := handlerRouter(t, handlerSnapshot(), Config{})
	want, err := eng.Resources(context.Background(), "alice", "read:x", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 2 {
		t.Fatalf("test bug: alice reads %v, want several resources to page through", want)
	}
	var got []string
	path := "/v1/users/alice/resources?permission=read:x&limit=1"
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatalf("more pages than resources: %v", got)
		}
		w := serve(h, "GET", path, "")
		if w.Code != 200 {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
		var page ResourcesResponse
		decodeOnly(t, w.Body.Bytes(), &page)
		if len(page.Resources) != 1 {
			t.Fatalf("GET %s: %d resources, want 1 per page", path, len(page.Resources))
		}
		got = append(got, page.Resources[0].ResourceURI)
		if page.Cursor == "" {
			break
		}
		path = "/v1/users/alice/resources?permission=read:x&limit=1&cursor=" + url.QueryEscape(page.Cursor)
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("resources over all pages (-engine +pages):\n%s", diff)
	}
	if !strictlySorted(got) {
		t.Errorf("pages are not in order: %v", got)
	}
}

func strictlySorted(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}
