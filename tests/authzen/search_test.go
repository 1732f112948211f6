package authzen

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/api/authzen"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// The AuthZEN search interop scenario (interop/authzen-search-demo in
// github.com/openid/authzen), re-expressed as Gatehouse data. Its
// policies:
//
//	a user views, edits and deletes the records they own   → role record-owner on each owned record
//	a user views the records of their department           → group dept-X, role dept-viewer on X's records
//	a manager views every record                           → role manager-viewer on "record", the ancestor
//	a manager edits the records of their department        → role dept-manager on the department's records
type searchUser struct{ id, role, department string }

var searchUsers = []searchUser{
	{"alice", "manager", "Sales"}, {"bob", "employee", "Legal"}, {"carol", "contractor", "Legal"},
	{"dan", "manager", "Finance"}, {"erin", "employee", "Finance"}, {"felix", "contractor", "Accounting"},
}

// searchRecords are the scenario's records: id → department, owner.
var searchRecords = map[string][2]string{
	"101": {"Legal", "alice"}, "102": {"Legal", "bob"}, "103": {"Legal", "carol"}, "104": {"Accounting", "dan"},
	"105": {"Legal", "erin"}, "106": {"Accounting", "felix"}, "107": {"Sales", "alice"}, "108": {"Legal", "bob"},
	"109": {"Accounting", "carol"}, "110": {"Sales", "dan"}, "111": {"Accounting", "erin"}, "112": {"Legal", "felix"},
	"113": {"Sales", "alice"}, "114": {"Accounting", "bob"}, "115": {"Finance", "carol"}, "116": {"Legal", "dan"},
	"117": {"Legal", "erin"}, "118": {"Accounting", "felix"}, "119": {"Legal", "alice"}, "120": {"Accounting", "bob"},
}

// searchExpected is the scenario's subject search table, verbatim in
// content: record → action → the users the PDP must return. The resource
// and action searches are the same relation read the other ways.
var searchExpected = map[string]map[string]string{
	"101": {"view": "alice bob carol dan", "edit": "alice", "delete": "alice"},
	"102": {"view": "alice bob carol dan", "edit": "bob", "delete": "bob"},
	"103": {"view": "alice bob carol dan", "edit": "carol", "delete": "carol"},
	"104": {"view": "alice dan felix", "edit": "dan", "delete": "dan"},
	"105": {"view": "alice bob carol dan erin", "edit": "erin", "delete": "erin"},
	"106": {"view": "alice dan felix", "edit": "felix", "delete": "felix"},
	"107": {"view": "alice dan", "edit": "alice", "delete": "alice"},
	"108": {"view": "alice bob carol dan", "edit": "bob", "delete": "bob"},
	"109": {"view": "alice carol dan felix", "edit": "carol", "delete": "carol"},
	"110": {"view": "alice dan", "edit": "alice dan", "delete": "dan"},
	"111": {"view": "alice dan erin felix", "edit": "erin", "delete": "erin"},
	"112": {"view": "alice bob carol dan felix", "edit": "felix", "delete": "felix"},
	"113": {"view": "alice dan", "edit": "alice", "delete": "alice"},
	"114": {"view": "alice bob dan felix", "edit": "bob", "delete": "bob"},
	"115": {"view": "alice carol dan erin", "edit": "carol dan", "delete": "carol"},
	"116": {"view": "alice bob carol dan", "edit": "dan", "delete": "dan"},
	"117": {"view": "alice bob carol dan erin", "edit": "erin", "delete": "erin"},
	"118": {"view": "alice dan felix", "edit": "felix", "delete": "felix"},
	"119": {"view": "alice bob carol dan", "edit": "alice", "delete": "alice"},
	"120": {"view": "alice bob dan felix", "edit": "bob", "delete": "bob"},
}

var searchActions = []string{"delete", "edit", "view"}

func searchSnapshot(t *testing.T) *model.Snapshot {
	t.Helper()
	role := func(id string, actions ...string) model.Role {
		r := model.Role{Meta: model.Meta{ID: id}}
		for _, a := range actions {
			r.Permissions = append(r.Permissions, model.Permission{Action: a})
		}
		return r
	}
	snap := &model.Snapshot{Roles: []model.Role{
		role("record-owner", "view", "edit", "delete"), role("dept-viewer", "view"),
		role("manager-viewer", "view"), role("dept-manager", "edit"),
	}}
	owned, inDept := map[string][]string{}, map[string][]string{}
	for id, r := range searchRecords {
		inDept[r[0]] = append(inDept[r[0]], "record/"+id)
		owned[r[1]] = append(owned[r[1]], "record/"+id)
	}
	members := map[string][]model.UserRef{}
	for _, u := range searchUsers {
		members[u.department] = append(members[u.department], model.UserRef{UserID: u.id})
		snap.Records = append(snap.Records, searchRecord("owner-"+u.id, "record-owner", owned[u.id], []model.UserRef{{UserID: u.id}}, nil))
		if u.role == "manager" {
			snap.Records = append(snap.Records,
				searchRecord("manager-"+u.id, "manager-viewer", []string{"record"}, []model.UserRef{{UserID: u.id}}, nil),
				searchRecord("dept-manager-"+u.id, "dept-manager", inDept[u.department], []model.UserRef{{UserID: u.id}}, nil))
		}
	}
	for dept, users := range members {
		group := "dept-" + strings.ToLower(dept)
		snap.Groups = append(snap.Groups, model.Group{Meta: model.Meta{ID: group}, Users: users})
		snap.Records = append(snap.Records, searchRecord("dept-"+group, "dept-viewer", inDept[dept], nil, []model.GroupRef{{GroupID: group}}))
	}
	return snap
}

func searchRecord(id, role string, uris []string, users []model.UserRef, groups []model.GroupRef) model.Record {
	var res []model.ResourceRef
	for _, u := range uris {
		res = append(res, model.ResourceRef{ResourceURI: u})
	}
	return model.Record{Meta: model.Meta{ID: id}, Status: model.StatusActive, Users: users,
		Statements: []model.Statement{{Roles: []string{role}, Resources: res, Groups: groups}}}
}

func startSearch(t *testing.T) *testkit.Gate {
	t.Helper()
	_, uri := testkit.StoreWith(t, searchSnapshot(t))
	return testkit.StartOn(t, uri)
}

// TestInteropSubjectSearch asks who may do each action on each record.
// The scenario wants an empty answer for a record outside its data; here
// the managers' grant on "record" reaches every record, known or not, so
// record 999 answers as an evaluation of it does (TestUnknownRecord).
func TestInteropSubjectSearch(t *testing.T) {
	g := startSearch(t)
	for _, id := range sortedKeys(searchRecords) {
		for _, action := range searchActions {
			body := fmt.Sprintf(`{"subject":{"type":"user"},"action":{"name":%q},"resource":{"type":"record","id":%q}}`, action, id)
			var got []string
			for _, s := range searchAll[authzen.Subject](t, g, authzen.PathSearchSubject, body) {
				got = append(got, s.ID)
			}
			if want := strings.Fields(searchExpected[id][action]); !slices.Equal(want, got) {
				t.Errorf("who can %s record %s: got %v, want %v", action, id, got, want)
			}
		}
	}
}

// TestInteropResourceSearch asks which records each user may act on.
func TestInteropResourceSearch(t *testing.T) {
	g := startSearch(t)
	for _, u := range searchUsers {
		for _, action := range append(searchActions, "publish") {
			body := fmt.Sprintf(`{"subject":{"type":"user","id":%q},"action":{"name":%q},"resource":{"type":"record"}}`, u.id, action)
			var got []string
			for _, r := range searchAll[authzen.Resource](t, g, authzen.PathSearchResource, body) {
				if r.Type != "record" {
					t.Errorf("result type %q", r.Type)
				}
				got = append(got, r.ID)
			}
			var want []string
			for _, id := range sortedKeys(searchRecords) {
				if slices.Contains(strings.Fields(searchExpected[id][action]), u.id) {
					want = append(want, id)
				}
			}
			if !slices.Equal(want, got) {
				t.Errorf("which records can %s %s: got %v, want %v", u.id, action, got, want)
			}
		}
	}
}

// TestInteropActionSearch asks what each user may do on each record.
func TestInteropActionSearch(t *testing.T) {
	g := startSearch(t)
	for _, u := range searchUsers {
		for _, id := range sortedKeys(searchRecords) {
			body := fmt.Sprintf(`{"subject":{"type":"user","id":%q},"resource":{"type":"record","id":%q}}`, u.id, id)
			var got []string
			for _, a := range searchAll[authzen.Action](t, g, authzen.PathSearchAction, body) {
				got = append(got, a.Name)
			}
			var want []string
			for _, action := range searchActions {
				if slices.Contains(strings.Fields(searchExpected[id][action]), u.id) {
					want = append(want, action)
				}
			}
			if !slices.Equal(want, got) {
				t.Errorf("what can %s do on record %s: got %v, want %v", u.id, id, got, want)
			}
		}
	}
}

// TestSearchCoveringIsExplicit: a manager's view of every record comes
// from a grant on "record", which the resource search names in context
// beside the known records it lists.
func TestSearchCoveringIsExplicit(t *testing.T) {
	g := startSearch(t)
	var res authzen.SearchResponse[authzen.Resource]
	g.JSON(http.MethodPost, authzen.PathSearchResource, `{"subject":{"type":"user","id":"dan"},"action":{"name":"view"},"resource":{"type":"record"},"page":{"limit":1000}}`, http.StatusOK, &res)
	if res.Context == nil || !slices.Equal(res.Context.Covering, []string{"record"}) {
		t.Errorf("context = %+v, want covering [record]", res.Context)
	}
	g.JSON(http.MethodPost, authzen.PathSearchResource, `{"subject":{"type":"user","id":"erin"},"action":{"name":"view"},"resource":{"type":"record"}}`, http.StatusOK, &res)
	if res.Context == nil || len(res.Context.Covering) != 0 {
		t.Errorf("erin: context = %+v, want no covering grants", res.Context)
	}
}

// TestUnknownRecord: a record no grant names is viewed by the managers
// alone (their grant on "record"), in every search and in evaluations.
func TestUnknownRecord(t *testing.T) {
	g := startSearch(t)
	var who []string
	for _, s := range searchAll[authzen.Subject](t, g, authzen.PathSearchSubject, `{"subject":{"type":"user"},"action":{"name":"view"},"resource":{"type":"record","id":"999"}}`) {
		who = append(who, s.ID)
	}
	if !slices.Equal(who, []string{"alice", "dan"}) {
		t.Errorf("who can view record 999: %v, want [alice dan]", who)
	}
	for _, u := range searchUsers {
		var acts []string
		for _, a := range searchAll[authzen.Action](t, g, authzen.PathSearchAction, fmt.Sprintf(`{"subject":{"type":"user","id":%q},"resource":{"type":"record","id":"999"}}`, u.id)) {
			acts = append(acts, a.Name)
		}
		var d authzen.Decision
		g.JSON(http.MethodPost, authzen.PathEvaluation, fmt.Sprintf(`{"subject":{"type":"user","id":%q},"action":{"name":"view"},"resource":{"type":"record","id":"999"}}`, u.id), http.StatusOK, &d)
		if want := d.Decision; want != slices.Equal(acts, []string{"view"}) || want != (u.role == "manager") {
			t.Errorf("%s on record 999: actions %v, evaluation %v", u.id, acts, d.Decision)
		}
	}
}

// searchAll walks every page at limit 2, checking each page's size.
func searchAll[T any](t *testing.T, g *testkit.Gate, path, body string) []T {
	t.Helper()
	var all []T
	token := ""
	for pages := 0; pages < 50; pages++ {
		req := strings.TrimSuffix(body, "}") + fmt.Sprintf(`,"page":{"limit":2,"token":%q}}`, token)
		var res authzen.SearchResponse[T]
		g.JSON(http.MethodPost, path, req, http.StatusOK, &res)
		if path != authzen.PathSearchAction && len(res.Results) > 2 {
			t.Fatalf("%d results on a page of 2", len(res.Results))
		}
		all = append(all, res.Results...)
		if token = res.Page.NextToken; token == "" {
			return all
		}
	}
	t.Fatal("the pages do not end")
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
