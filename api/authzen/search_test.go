package authzen_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/api/authzen"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The fake's search answers follow its allow list: users ann, bob, cy
// hold whatever is allowed; the known resources are record/1..4.
var (
	fakeUsers = []string{"ann", "bob", "cy"}
	fakeKnown = []string{"record/1", "record/2", "record/3", "record/4"}
)

func (f *fake) searches() authzen.Searches {
	return authzen.Searches{
		Subjects: func(_ context.Context, resource, action, after string, limit int) ([]string, string, error) {
			if strings.HasPrefix(resource, "bad") {
				return nil, "", &engine.InvalidInputError{Problems: []model.Problem{{Field: "resource", Message: "is bad"}}}
			}
			if !f.allow[action+"@"+resource] {
				return []string{}, "", nil
			}
			return pageOf(fakeUsers, after, limit)
		},
		Resources: func(_ context.Context, q engine.ResourceSearch) (engine.ResourcePage, error) {
			f.asked = append(f.asked, q.Input)
			var held []string
			for _, uri := range fakeKnown {
				if strings.HasPrefix(uri, q.Parent+"/") && f.allow[q.Input.Permission+"@"+uri] {
					held = append(held, uri)
				}
			}
			uris, next, _ := pageOf(held, q.After, q.Limit)
			return engine.ResourcePage{URIs: uris, Next: next, Covering: []string{q.Parent}}, nil
		},
		Actions: func(_ context.Context, in engine.Input) ([]string, error) {
			f.asked = append(f.asked, in)
			out := []string{}
			for _, a := range []string{"read", "write"} {
				if f.allow[a+"@"+in.Resource] {
					out = append(out, a)
				}
			}
			return out, nil
		},
		DefaultLimit: 2, MaxLimit: 3,
	}
}

func pageOf(all []string, after string, limit int) ([]string, string, error) {
	i := 0
	if after != "" {
		i = slices.Index(all, after) + 1
	}
	end := min(i+limit, len(all))
	if end < len(all) {
		return all[i:end], all[end-1], nil
	}
	return all[i:end], "", nil
}

func TestSearchSubjectPages(t *testing.T) {
	h := router(&fake{allow: map[string]bool{"read@record/1": true}}, 10)
	body := `{"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"record","id":"1"},"page":{"limit":2}}`
	var first authzen.SearchResponse[authzen.Subject]
	decode(t, post(t, h, authzen.PathSearchSubject, body), &first)
	want := []authzen.Subject{{Type: "user", ID: "ann"}, {Type: "user", ID: "bob"}}
	if diff := cmp.Diff(want, first.Results); diff != "" || first.Page.NextToken == "" {
		t.Fatalf("first page (-want +got):\n%s\nnext %q", diff, first.Page.NextToken)
	}
	body = strings.Replace(body, `"limit":2`, `"limit":2,"token":"`+first.Page.NextToken+`"`, 1)
	var second authzen.SearchResponse[authzen.Subject]
	decode(t, post(t, h, authzen.PathSearchSubject, body), &second)
	if diff := cmp.Diff([]authzen.Subject{{Type: "user", ID: "cy"}}, second.Results); diff != "" || second.Page.NextToken != "" {
		t.Errorf("second page (-want +got):\n%s\nnext %q", diff, second.Page.NextToken)
	}
	// A token of another kind of search is refused.
	other := strings.Replace(body, authzen.PathSearchSubject, "", 1)
	w := post(t, h, authzen.PathSearchResource, strings.Replace(other, `"type":"user"}`, `"type":"user","id":"ann"}`, 1))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "page.token") {
		t.Errorf("a subject token on a resource search: %d %s", w.Code, w.Body)
	}
}

func TestSearchResourceAndAction(t *testing.T) {
	f := &fake{allow: map[string]bool{"read@record/2": true, "read@record/4": true, "write@record/4": true}}
	h := router(f, 10)
	var res authzen.SearchResponse[authzen.Resource]
	decode(t, post(t, h, authzen.PathSearchResource, `{"subject":{"type":"user","id":"ann","properties":{"installation":"i1"}},"action":{"name":"read"},"resource":{"type":"/record/"}}`), &res)
	want := authzen.SearchResponse[authzen.Resource]{
		Results: []authzen.Resource{{Type: "record", ID: "2"}, {Type: "record", ID: "4"}},
		Context: &authzen.SearchContext{Covering: []string{"record"}},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("resource search (-want +got):\n%s", diff)
	}
	if in := f.asked[len(f.asked)-1]; in.User != "ann" || in.Installation != "i1" || in.Permission != "read" {
		t.Errorf("asked %+v", in)
	}
	var acts authzen.SearchResponse[authzen.Action]
	decode(t, post(t, h, authzen.PathSearchAction, `{"subject":{"type":"user","id":"ann"},"resource":{"type":"record","id":"4"}}`), &acts)
	if diff := cmp.Diff([]authzen.Action{{Name: "read"}, {Name: "write"}}, acts.Results); diff != "" {
		t.Errorf("action search (-want +got):\n%s", diff)
	}
}

func TestSearchBadRequests(t *testing.T) {
	h := router(&fake{}, 10)
	cases := []struct {
		name, path, body string
		fields           []string
	}{
		{"subject search without anything", authzen.PathSearchSubject, `{}`, []string{"action.name", "resource", "subject.type"}},
		{"subject search of installations", authzen.PathSearchSubject, `{"subject":{"type":"installation"},"action":{"name":"read"},"resource":{"type":"r","id":"1"}}`, []string{"subject.type"}},
		{"limit out of range, wrong types", authzen.PathSearchSubject, `{"subject":{"type":"user"},"action":{"name":7},"resource":{"type":"r","id":"1"},"page":{"limit":4,"token":5}}`, []string{"action.name", "page.limit", "page.token"}},
		{"limit not a whole number", authzen.PathSearchResource, `{"subject":{"type":"user","id":"a"},"action":{"name":"read"},"resource":{"type":"r"},"page":{"limit":1.5}}`, []string{"page.limit"}},
		{"page null", authzen.PathSearchResource, `{"subject":{"type":"user","id":"a"},"action":{"name":"read"},"resource":{"type":"r"},"page":null}`, []string{"page"}},
		{"forged token", authzen.PathSearchResource, `{"subject":{"type":"user","id":"a"},"action":{"name":"read"},"resource":{"type":"r"},"page":{"token":"!!"}}`, []string{"page.token"}},
		{"resource search without type or subject id", authzen.PathSearchResource, `{"subject":{"type":"user"},"action":{"name":"read"},"resource":{}}`, []string{"resource.type", "subject.id"}},
		{"action search without resource id", authzen.PathSearchAction, `{"subject":{"type":"user","id":"a"},"resource":{"type":"r"}}`, []string{"resource.id"}},
		{"engine problems named by AuthZEN field", authzen.PathSearchSubject, `{"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"bad","id":"1"}}`, []string{"resource"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := post(t, h, c.path, c.body)
			var body api.ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusBadRequest {
				t.Fatalf("status %d body %s, want 400", w.Code, w.Body)
			}
			var got []string
			for _, p := range body.Errors {
				got = append(got, p.Field)
			}
			slices.Sort(got)
			if diff := cmp.Diff(c.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func decode(t *testing.T, w interface{ Result() *http.Response }, out any) {
	t.Helper()
	res := w.Result()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}
