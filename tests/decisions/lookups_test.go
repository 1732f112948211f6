package decisions

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// lookupPages is how many extra resources user lu reads, to make the
// resource listing span several pages.
const lookupPages = 25

// lookupSnapshot gives user lu grants of every kind, plus some that must
// not show: an inactive role, a deleted record, an expired membership.
func lookupSnapshot() *model.Snapshot {
	off, no := false, false
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	lu := []model.UserRef{{UserID: "lu"}}
	res := func(uris ...string) []model.ResourceRef {
		out := make([]model.ResourceRef, len(uris))
		for i, u := range uris {
			out[i] = model.ResourceRef{ResourceURI: u}
		}
		return out
	}
	var pages []string
	for i := range lookupPages {
		pages = append(pages, fmt.Sprintf("pages/p%02d", i))
	}
	return &model.Snapshot{
		Roles: []model.Role{
			{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "read:*"}}},
			{Meta: model.Meta{ID: "writer"}, Permissions: []model.Permission{{Action: "write", Grant: true}}},
			{Meta: model.Meta{ID: "admin"}, Permissions: []model.Permission{{Action: "*", Grant: true, Delegate: true}}},
			{Meta: model.Meta{ID: "denier"}, Permissions: []model.Permission{{Action: "delete", Allow: &no}}},
			{Meta: model.Meta{ID: "off"}, IsActive: &off, Permissions: []model.Permission{{Action: "*"}}},
		},
		Records: []model.Record{
			{Meta: model.Meta{ID: "rl-main"}, Status: model.StatusActive, Users: lu, Statements: []model.Statement{
				{Roles: []string{"reader", "denier"}, Resources: res("acc/A")},
				{Roles: []string{"writer"}, Resources: res("acc/A/chats")},
			}},
			{Meta: model.Meta{ID: "rl-off"}, Status: model.StatusActive, Users: lu,
				Statements: []model.Statement{{Roles: []string{"off"}, Resources: res("acc")}}},
			{Meta: model.Meta{ID: "rl-deleted"}, Status: model.StatusDeleted, Users: lu,
				Statements: []model.Statement{{Roles: []string{"admin"}, Resources: res("acc")}}},
			{Meta: model.Meta{ID: "rl-pages"}, Status: model.StatusActive, Users: lu,
				Statements: []model.Statement{{Roles: []string{"reader"}, Resources: res(pages...)}}},
			{Meta: model.Meta{ID: "rl-other"}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "other"}},
				Statements: []model.Statement{{Roles: []string{"admin"}, Resources: res("acc", "cust")}}},
		},
		Memberships: []model.Membership{
			{Meta: model.Meta{ID: "m-c1"}, UserID: "lu", Context: "cust/c1", Roles: []string{"reader"}, ExpiresAt: &future},
			{Meta: model.Meta{ID: "m-p1"}, UserID: "lu", Context: "cust/c1/proj/p1", Roles: []string{"writer", "denier"}},
			{Meta: model.Meta{ID: "m-c2"}, UserID: "lu", Context: "cust/c2", Roles: []string{"reader"}},
			{Meta: model.Meta{ID: "m-expired"}, UserID: "lu", Context: "cust/c1", Roles: []string{"admin"}, ExpiresAt: &past},
			{Meta: model.Meta{ID: "m-below"}, UserID: "lu", Context: "cust/c1/proj/p1/tasks/t1", Roles: []string{"writer"}},
		},
	}
}

// sortPermissions and sortMemberships make order irrelevant: SPEC does not fix it.
var (
	sortPermissions = cmpopts.SortSlices(func(a, b engine.HeldPermission) bool { return a.Action < b.Action })
	sortMemberships = cmpopts.SortSlices(func(a, b engine.UserMembership) bool { return a.ID < b.ID })
)

// TestLookups exercises the Authress-style lookups through the Go client
// against one server on the embedded store.
func TestLookups(t *testing.T) {
	g := testkit.Start(t, lookupSnapshot())
	t.Run("check permission", func(t *testing.T) { testLookupCheck(t, g) })
	t.Run("list permissions", func(t *testing.T) { testLookupPermissions(t, g) })
	t.Run("list resources", func(t *testing.T) { testLookupResources(t, g) })
	t.Run("memberships", func(t *testing.T) { testLookupMemberships(t, g) })
}

func testLookupCheck(t *testing.T, g *testkit.Gate) {
	tests := []struct {
		name, user, uri, action string
		allowed                 bool
	}{
		{"record cascades", "lu", "acc/A/chats/1", "read:chats", true},
		{"slashes around the escaped uri", "lu", "/acc/A/chats/1/", "READ:chats", true},
		{"second statement", "lu", "acc/A/chats", "write", true},
		{"membership cascades", "lu", "cust/c1/proj/p1/x", "write", true},
		{"outside every grant", "lu", "acc/B", "read", false},
		{"action not held", "lu", "acc/A", "write", false},
		{"allow false", "lu", "acc/A", "delete", false},
		{"inactive role", "lu", "acc/Z", "read", false},
		{"deleted record", "lu", "acc/Z", "anything", false},
		{"expired membership", "lu", "cust/c1/x", "delete", false},
		{"unknown user", "nobody", "acc/A", "read", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Client().CheckPermission(t.Context(), tt.user, tt.uri, tt.action)
			if tt.allowed {
				if err != nil || !got.Allowed || len(got.Reasons) == 0 || got.DecisionID == "" {
					t.Errorf("got %+v, %v; want allowed with reasons and a decision id", got, err)
				}
				return
			}
			var e *client.Error
			if !errors.As(err, &e) || e.Status != http.StatusNotFound || e.Code != client.CodeNoPermission || e.Message == "" {
				t.Errorf("error %v, want a 404 with code permission_not_found and a message", err)
			}
		})
	}
}

func testLookupPermissions(t *testing.T, g *testkit.Gate) {
	tests := []struct {
		name, user, uri string
		want            []engine.HeldPermission
	}{
		{"two statements and a deny flag", "lu", "acc/A/chats/1", []engine.HeldPermission{
			{Action: "delete"},
			{Action: "read:*", Allow: true},
			{Action: "write", Allow: true, Grant: true},
		}},
		{"only the covering statement", "lu", "acc/A", []engine.HeldPermission{
			{Action: "delete"},
			{Action: "read:*", Allow: true},
		}},
		{"inactive role and deleted record give nothing", "lu", "acc/B", []engine.HeldPermission{}},
		{"memberships from above merge", "lu", "cust/c1/proj/p1", []engine.HeldPermission{
			{Action: "delete"},
			{Action: "read:*", Allow: true},
			{Action: "write", Allow: true, Grant: true},
		}},
		{"grant and delegate", "other", "acc/X", []engine.HeldPermission{
			{Action: "*", Allow: true, Grant: true, Delegate: true},
		}},
		{"unknown user", "nobody", "acc/A", []engine.HeldPermission{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Client().Permissions(t.Context(), tt.user, tt.uri)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("permissions is null or missing, want a list")
			}
			if diff := gocmp.Diff(tt.want, got, sortPermissions); diff != "" {
				t.Errorf("permissions (-want +got):\n%s", diff)
			}
		})
	}
}

func testLookupResources(t *testing.T, g *testkit.Gate) {
	var pages []string
	for i := range lookupPages {
		pages = append(pages, fmt.Sprintf("pages/p%02d", i))
	}
	reads := append([]string{"acc/A", "cust/c1", "cust/c2"}, pages...)
	tests := []struct {
		name, user, permission, prefix string
		want                           []string
	}{
		{"every read pattern", "lu", "read:docs", "", reads},
		{"prefix", "lu", "read:docs", "pages", pages},
		{"prefix with slashes", "lu", "read", "/cust/", []string{"cust/c1", "cust/c2"}},
		{"write", "lu", "write", "", []string{"acc/A/chats", "cust/c1/proj/p1", "cust/c1/proj/p1/tasks/t1"}},
		{"allow false lists nothing", "lu", "delete", "", nil},
		{"nothing held", "lu", "publish", "", nil},
		{"unknown user", "nobody", "read", "", nil},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 4, 1000} {
			t.Run(fmt.Sprintf("%s/limit=%d", tt.name, limit), func(t *testing.T) {
				got := walkResources(t, g, tt.user, tt.permission, tt.prefix, limit)
				if diff := gocmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("resources over every page (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// walkResources follows the cursor from the first page to the last and
// returns every resource in order, failing on a page over the limit, a
// repeated resource, an empty page with a cursor, or a cursor loop.
func walkResources(t *testing.T, g *testkit.Gate, user, permission, prefix string, limit int) []string {
	t.Helper()
	var all []string
	seen := map[string]bool{}
	c, q := g.Client(), client.ResourcesQuery{User: user, Permission: permission, Prefix: prefix}
	cursor := ""
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatal("more than 100 pages: the cursor does not advance")
		}
		got, err := c.Resources(t.Context(), q, client.Page{Cursor: cursor, Limit: limit})
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if got.Resources == nil {
			t.Fatalf("page %d: resources is null or missing, want a list", page)
		}
		if len(got.Resources) > limit {
			t.Errorf("page %d: %d resources, limit %d", page, len(got.Resources), limit)
		}
		for _, r := range got.Resources {
			if seen[r.ResourceURI] {
				t.Errorf("page %d: %s listed again", page, r.ResourceURI)
			}
			seen[r.ResourceURI] = true
			all = append(all, r.ResourceURI)
		}
		if got.Cursor == "" {
			break
		}
		if len(got.Resources) == 0 {
			t.Fatalf("page %d: empty page with a cursor", page)
		}
		cursor = got.Cursor
	}
	slices.Sort(all)
	return all
}

func testLookupMemberships(t *testing.T, g *testkit.Gate) {
	c1 := engine.UserMembership{ID: "m-c1", Context: "cust/c1", Roles: []string{"reader"},
		Permissions: []engine.HeldPermission{{Action: "read:*", Allow: true}}}
	p1 := engine.UserMembership{ID: "m-p1", Context: "cust/c1/proj/p1", Roles: []string{"denier", "writer"},
		Permissions: []engine.HeldPermission{{Action: "delete"}, {Action: "write", Allow: true, Grant: true}}}
	inherited := func(m engine.UserMembership) engine.UserMembership { m.Inherited = true; return m }
	tests := []struct {
		name, user, context string
		want                []engine.UserMembership
	}{
		{"at the context and above", "lu", "cust/c1/proj/p1", []engine.UserMembership{inherited(c1), p1}},
		{"below the deepest membership", "lu", "cust/c1/proj/p1/tasks", []engine.UserMembership{inherited(c1), inherited(p1)}},
		{"at the context only", "lu", "/cust/c1/", []engine.UserMembership{c1}},
		{"sibling context", "lu", "cust/c3", nil},
		{"records are not memberships", "lu", "acc/A", nil},
		{"unknown user", "nobody", "cust/c1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Client().Memberships(t.Context(), tt.user, tt.context)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("memberships is null or missing, want a list")
			}
			if diff := gocmp.Diff(tt.want, got, sortMemberships, sortPermissions, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("memberships (-want +got):\n%s", diff)
			}
		})
	}
}
