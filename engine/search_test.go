package engine_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// shelf is a user holding read on a few books, on a whole shelf through
// an ancestor, and through a pattern; the known books come from grants.
func shelf(t *testing.T) *engine.Engine {
	t.Helper()
	rec := func(id, user, role string, uris ...string) model.Record {
		var res []model.ResourceRef
		for _, u := range uris {
			res = append(res, model.ResourceRef{ResourceURI: u})
		}
		return model.Record{Meta: model.Meta{ID: id}, Status: "ACTIVE", Users: []model.UserRef{{UserID: user}},
			Statements: []model.Statement{{Roles: []string{role}, Resources: res}}}
	}
	snap := &model.Snapshot{
		Roles: []model.Role{
			{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "read"}}},
			{Meta: model.Meta{ID: "owner"}, Permissions: []model.Permission{{Action: "read"}, {Action: "write"}, {Action: "share:*"}}},
		},
		Records: []model.Record{
			rec("r-ann", "ann", "reader", "books/1", "books/3", "books/5/pages/2"),
			rec("r-ann-own", "ann", "owner", "books/3"),
			rec("r-bob", "bob", "owner", "books/2", "books/4", "books/6", "magazines/9"),
			rec("r-cy", "cy", "reader", "books"),
			rec("r-dee", "dee", "reader", "books/*/pages/1", "books/7"),
		},
	}
	e := engine.New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSearchResources(t *testing.T) {
	e := shelf(t)
	books := []string{"books/1", "books/2", "books/3", "books/4", "books/5", "books/6", "books/7"}
	cases := []struct {
		name         string
		user, action string
		parent       string
		want         []string
		covering     []string
	}{
		{"direct grants", "ann", "read", "books", []string{"books/1", "books/3"}, []string{}},
		{"a grant on a descendant does not reach its ancestor", "ann", "read", "books/5", []string{}, []string{}},
		{"deeper parent", "ann", "read", "books/5/pages", []string{"books/5/pages/2"}, []string{}},
		{"an ancestor grant reaches every known child and is reported", "cy", "read", "books", books, []string{"books"}},
		{"a pattern is reported, not expanded into unknown resources", "dee", "read", "books", []string{"books/7"}, []string{"books/*/pages/1"}},
		{"other actions", "bob", "write", "books", []string{"books/2", "books/4", "books/6"}, []string{}},
		{"action pattern held", "bob", "share:link", "books", []string{"books/2", "books/4", "books/6"}, []string{}},
		{"nothing held", "bob", "delete", "books", []string{}, []string{}},
		{"unknown parent", "cy", "read", "films", []string{}, []string{}},
		{"unknown user", "zed", "read", "books", []string{}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page, err := e.SearchResources(t.Context(), engine.ResourceSearch{
				Input: engine.Input{User: c.user, Permission: c.action}, Parent: c.parent, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, page.URIs); diff != "" {
				t.Errorf("uris (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.covering, page.Covering); diff != "" {
				t.Errorf("covering (-want +got):\n%s", diff)
			}
			if page.Next != "" {
				t.Errorf("next = %q on a complete answer", page.Next)
			}
		})
	}
}

// TestSearchResourcesAgreesWithDecide: every known child is in the
// results exactly when Decide allows it, whatever the page size and scan
// budget, and walking the pages returns each once, in order.
func TestSearchResourcesAgreesWithDecide(t *testing.T) {
	e := shelf(t)
	for _, user := range []string{"ann", "bob", "cy", "dee", "zed"} {
		for _, action := range []string{"read", "write", "share:x"} {
			var want []string
			for i := 1; i <= 7; i++ {
				uri := fmt.Sprintf("books/%d", i)
				d, err := e.Decide(t.Context(), engine.Input{User: user, Resource: uri, Permission: action})
				if err != nil {
					t.Fatal(err)
				}
				if d.Allowed {
					want = append(want, uri)
				}
			}
			for limit := 1; limit <= 4; limit++ {
				for scan := 0; scan <= 3; scan++ {
					got := walk(t, e, engine.ResourceSearch{Input: engine.Input{User: user, Permission: action}, Parent: "books", Limit: limit, Scan: scan})
					if !slices.Equal(want, got) {
						t.Errorf("%s %s limit %d scan %d: got %v, want %v", user, action, limit, scan, got, want)
					}
				}
			}
		}
	}
}

func walk(t *testing.T, e *engine.Engine, q engine.ResourceSearch) []string {
	t.Helper()
	var all []string
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("the pages do not end")
		}
		page, err := e.SearchResources(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.URIs) > q.Limit {
			t.Fatalf("page of %d over the limit %d", len(page.URIs), q.Limit)
		}
		all = append(all, page.URIs...)
		if page.Next == "" {
			return all
		}
		q.After = page.Next
	}
}

func TestSearchActions(t *testing.T) {
	e := shelf(t)
	cases := []struct {
		user, resource string
		want           []string
	}{
		{"ann", "books/3", []string{"read", "share:*", "write"}},
		{"ann", "books/1", []string{"read"}},
		{"cy", "books/5/pages/2", []string{"read"}},
		{"ann", "books/2", []string{}},
		{"zed", "books/1", []string{}},
	}
	for _, c := range cases {
		got, err := e.SearchActions(t.Context(), engine.Input{User: c.user, Resource: c.resource})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s on %s (-want +got):\n%s", c.user, c.resource, diff)
		}
	}
}

func TestSearchBadInput(t *testing.T) {
	e := shelf(t)
	fields := func(err error) []string {
		var bad *engine.InvalidInputError
		if !errors.As(err, &bad) {
			t.Fatalf("err = %v, want invalid input", err)
		}
		var out []string
		for _, p := range bad.Problems {
			out = append(out, p.Field)
		}
		slices.Sort(out)
		return out
	}
	_, err := e.SearchResources(t.Context(), engine.ResourceSearch{Input: engine.Input{User: "a\x01"}, Parent: "../x", Limit: 0, Scan: -1})
	if diff := cmp.Diff([]string{"limit", "parent", "permission", "scan", "user"}, fields(err)); diff != "" {
		t.Errorf("resource search problems (-want +got):\n%s", diff)
	}
	_, err = e.SearchActions(t.Context(), engine.Input{Installation: "i1", Resource: ""})
	if diff := cmp.Diff([]string{"resource", "user"}, fields(err)); diff != "" {
		t.Errorf("action search problems (-want +got):\n%s", diff)
	}
}

// TestSearchLeavesDecisionsAlone: a search decides its candidates over one
// generation without the decision cache or the decision log, so a page
// of thousands of candidates neither evicts real decisions nor floods the
// log with questions nobody asked.
func TestSearchLeavesDecisionsAlone(t *testing.T) {
	e := shelf(t)
	before := e.CacheStats()
	if _, err := e.SearchResources(t.Context(), engine.ResourceSearch{Input: engine.Input{User: "cy", Permission: "read"}, Parent: "books", Limit: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SearchActions(t.Context(), engine.Input{User: "ann", Resource: "books/3"}); err != nil {
		t.Fatal(err)
	}
	if after := e.CacheStats(); after != before {
		t.Errorf("the searches went through the decision cache: %+v, then %+v", before, after)
	}
}
