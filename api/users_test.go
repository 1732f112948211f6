package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
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

// accessSnapshot is handlerSnapshot where alice also holds a grant through
// a group, an expiring one with an inactive role, and a membership with
// two roles.
func accessSnapshot() *model.Snapshot {
	snap := handlerSnapshot()
	no, later := false, time.Date(2100, 1, 2, 3, 4, 5, 0, time.UTC)
	snap.Roles = append(snap.Roles, model.Role{Meta: model.Meta{ID: "retired"}, IsActive: &no, Permissions: []model.Permission{{Action: "*"}}})
	snap.Groups = []model.Group{{Meta: model.Meta{ID: "team"}, Name: "Team", Users: []model.UserRef{{UserID: "alice"}}}}
	snap.Records = append(snap.Records,
		model.Record{Meta: model.Meta{ID: "r2"}, Status: model.StatusActive, Groups: []model.GroupRef{{GroupID: "team"}},
			Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/B"}}}}},
		model.Record{Meta: model.Meta{ID: "r3"}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "alice"}}, ExpiresAt: &later,
			Statements: []model.Statement{{Roles: []string{"retired"}, Resources: []model.ResourceRef{{ResourceURI: "/accounts/C/"}}}}})
	snap.Memberships = append(snap.Memberships, model.Membership{Meta: model.Meta{ID: "m2"}, UserID: "alice", Context: "accounts/D", Roles: []string{"reader", "admin"}})
	return snap
}

func TestUserAccessHandler(t *testing.T) {
	h, eng := handlerRouter(t, accessSnapshot(), Config{})
	page, err := eng.Access(context.Background(), "alice", "", 2)
	if err != nil || page.Next == "" {
		t.Fatalf("test bug: alice's first page of 2 %+v, %v", page, err)
	}
	invalid := func(fields ...string) response {
		return response{status: 422, code: CodeInvalid, message: "the request is invalid", fields: fields}
	}
	body := func(want string) func(*testing.T, []byte) {
		return func(t *testing.T, raw []byte) {
			var got, exp any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(want), &exp); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(exp, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		}
	}
	read := `[{"action":"read:*","allow":true,"grant":false,"delegate":false}]`
	admin := `[{"action":"*","allow":true,"grant":true,"delegate":false}]`
	resourcesCursor := encodeCursor("accounts/A")
	runRoutes(t, h, []routeCase{
		{name: "every grant, sorted", method: "GET", path: "/v1/users/alice/access", want: response{status: 200}, render: body(`{"grants":[
			{"kind":"record","id":"r1","role":"reader","resource":"accounts/*/docs","permissions":` + read + `},
			{"kind":"record","id":"r1","role":"admin","resource":"accounts/A","permissions":` + admin + `},
			{"kind":"record","id":"r2","group":"team","role":"reader","resource":"accounts/B","permissions":` + read + `},
			{"kind":"record","id":"r3","role":"retired","resource":"accounts/C","expires":"2100-01-02T03:04:05Z","permissions":[]},
			{"kind":"membership","id":"m2","role":"admin","resource":"accounts/D","permissions":` + admin + `},
			{"kind":"membership","id":"m2","role":"reader","resource":"accounts/D","permissions":` + read + `}]}`)},
		{name: "a page with a cursor", method: "GET", path: "/v1/users/alice/access?limit=2", want: response{status: 200}, render: body(`{"grants":[
			{"kind":"record","id":"r1","role":"reader","resource":"accounts/*/docs","permissions":` + read + `},
			{"kind":"record","id":"r1","role":"admin","resource":"accounts/A","permissions":` + admin + `}],
			"cursor":"` + encodeCursor(page.Next) + `"}`)},
		{name: "the last page has no cursor", method: "GET", path: "/v1/users/alice/access?limit=1&cursor=" + encodeCursor(`["accounts/D","membership","m2","","admin"]`),
			want: response{status: 200}, render: body(`{"grants":[{"kind":"membership","id":"m2","role":"reader","resource":"accounts/D","permissions":` + read + `}]}`)},
		{name: "a user without grants", method: "GET", path: "/v1/users/nobody/access", want: response{status: 200}, render: body(`{"grants":[]}`)},
		{name: "limit zero", method: "GET", path: "/v1/users/alice/access?limit=0", want: invalid("limit")},
		{name: "limit empty", method: "GET", path: "/v1/users/alice/access?limit=", want: invalid("limit")},
		{name: "limit twice", method: "GET", path: "/v1/users/alice/access?limit=1&limit=2", want: invalid("limit")},
		{name: "limit over the maximum", method: "GET", path: "/v1/users/alice/access?limit=1001", want: invalid("limit")},
		{name: "cursor not base64", method: "GET", path: "/v1/users/alice/access?cursor=%25%25", want: invalid("cursor")},
		{name: "cursor of another list", method: "GET", path: "/v1/users/alice/access?cursor=" + resourcesCursor, want: invalid("cursor")},
		{name: "cursor twice", method: "GET", path: "/v1/users/alice/access?cursor=&cursor=", want: invalid("cursor")},
		{name: "blank user", method: "GET", path: "/v1/users/%20/access", want: invalid("user")},
		{name: "everything wrong", method: "GET", path: "/v1/users/%0A/access?limit=x&cursor=" + resourcesCursor, want: invalid("cursor", "limit", "user")},
		{name: "POST is not a lookup", method: "POST", path: "/v1/users/alice/access", body: `{}`, want: response{status: 405, code: "method_not_allowed"}},
	})
}

// TestPagesAtEveryLimit walks GET /v1/users/{userId}/access and
// /resources at every limit: the pages concatenated are the whole list in
// order, nothing repeats, and the cursor is absent exactly on the last page.
func TestPagesAtEveryLimit(t *testing.T) {
	h, eng := handlerRouter(t, accessSnapshot(), Config{})
	whole, err := eng.Access(context.Background(), "alice", "", MaxPageLimit)
	if err != nil || len(whole.Grants) < 4 {
		t.Fatalf("test bug: alice's access map %+v, %v", whole, err)
	}
	uris, err := eng.Resources(context.Background(), "alice", "read:x", "")
	if err != nil || len(uris) < 3 {
		t.Fatalf("test bug: alice reads %v, %v", uris, err)
	}
	lists := []struct {
		path  string
		whole int
		items func(raw []byte) ([]string, string)
	}{
		{"/v1/users/alice/access?", len(whole.Grants), func(raw []byte) ([]string, string) {
			var p AccessResponse
			decodeOnly(t, raw, &p)
			var keys []string
			for _, g := range p.Grants {
				keys = append(keys, strings.Join([]string{g.Resource, g.Kind, g.ID, g.Group, g.Role}, "\x00"))
			}
			return keys, p.Cursor
		}},
		{"/v1/users/alice/resources?permission=read:x&", len(uris), func(raw []byte) ([]string, string) {
			var p ResourcesResponse
			decodeOnly(t, raw, &p)
			var keys []string
			for _, r := range p.Resources {
				keys = append(keys, r.ResourceURI)
			}
			return keys, p.Cursor
		}},
	}
	for _, l := range lists {
		all := walkPages(t, h, l.path, l.whole+1, l.whole, l.items)
		if len(all) != l.whole || !strictlySorted(all) {
			t.Fatalf("%s: one page of everything %q, want %d sorted", l.path, all, l.whole)
		}
		for limit := 1; limit <= l.whole+1; limit++ {
			if got := walkPages(t, h, l.path, limit, l.whole, l.items); !slices.Equal(got, all) {
				t.Errorf("%slimit=%d: pages %q, want %q", l.path, limit, got, all)
			}
		}
	}
}

// walkPages reads a list of total items limit at a time, checking each
// page's size and that only the last has no cursor.
func walkPages(t *testing.T, h http.Handler, path string, limit, total int, items func([]byte) ([]string, string)) []string {
	t.Helper()
	var out []string
	for cursor := ""; ; {
		get := fmt.Sprintf("%slimit=%d&cursor=%s", path, limit, url.QueryEscape(cursor))
		w := serve(h, "GET", get, "")
		if w.Code != 200 {
			t.Fatalf("GET %s: %d %s", get, w.Code, w.Body)
		}
		page, next := items(w.Body.Bytes())
		if len(page) != min(limit, total-len(out)) || (next != "") != (len(out)+len(page) < total) {
			t.Fatalf("GET %s: %d items, cursor %q", get, len(page), next)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		cursor = next
	}
}

// TestPageProperty: over random lists, unsorted and with repeats, page at
// every limit gives each item once, sorted, with a cursor on every page
// but the last.
func TestPageProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var uris []string
		for range r.IntN(12) {
			uris = append(uris, fmt.Sprintf("accounts/%c", 'a'+r.IntN(8)))
		}
		want := slices.Compact(slices.Sorted(slices.Values(uris)))
		for limit := 1; limit <= len(want)+1; limit++ {
			var got []string
			for after := ""; ; {
				p := page(slices.Clone(uris), after, limit)
				for _, item := range p.Resources {
					got = append(got, item.ResourceURI)
				}
				if last := len(got) == len(want); (p.Cursor == "") != last || len(p.Resources) != min(limit, len(want)-len(got)+len(p.Resources)) {
					t.Fatalf("%q limit %d: page %+v after %d of %d", uris, limit, p, len(got), len(want))
				}
				if p.Cursor == "" {
					break
				}
				var err error
				if after, err = decodeCursor(p.Cursor); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%q limit %d: pages %q, want %q", uris, limit, got, want)
			}
		}
	}
}
