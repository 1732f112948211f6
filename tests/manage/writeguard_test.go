package manage

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// problemsOf decodes an error body and returns its code and "field: message" lines.
func problemsOf(t *testing.T, raw []byte) (string, []model.Problem) {
	t.Helper()
	var body api.ErrorBody
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("decode error body %s: %v", raw, err)
	}
	return body.Code, body.Errors
}

// expectError checks an error status and code and that every want string is
// the field (or a substring of "field message") of some listed problem.
func expectError(t *testing.T, code int, raw []byte, status int, errCode string, want ...string) {
	t.Helper()
	if code != status {
		t.Fatalf("status %d, want %d; body %s", code, status, raw)
	}
	got, problems := problemsOf(t, raw)
	if got != errCode {
		t.Errorf("code %q, want %q; body %s", got, errCode, raw)
	}
	for _, w := range want {
		if !slices.ContainsFunc(problems, func(p model.Problem) bool {
			return strings.Contains(p.Collection+"/"+p.ID+" "+p.Field+" "+p.Message, w)
		}) {
			t.Errorf("no problem mentions %q: %s", w, raw)
		}
	}
}

// TestOnBehalfHeaderMustNameAUser: a present X-Gatehouse-User header
// names a valid user; an empty or blank one, or two of them, is a
// malformed request, never the API key acting with its own rights.
func TestOnBehalfHeaderMustNameAUser(t *testing.T) {
	g := testkit.StartMem(t, onBehalfSnapshot(), nil)
	body := membershipBody("rex", "accounts/A", "editor") // alice may not give editor; the key may
	tests := []struct {
		name   string
		values []string
	}{
		{"empty", []string{""}},
		{"blank", []string{"   "}},
		{"tab", []string{"\t"}},
		{"two headers", []string{"alice", "alice"}},
		{"an empty one and a user", []string{"", "alice"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			for _, v := range tc.values {
				headers = append(headers, api.UserHeader, v)
			}
			for _, m := range []struct{ method, path string }{
				{http.MethodPut, "/v1/memberships/m-rex-editor"},
				{http.MethodPost, "/v1/memberships"},
				{http.MethodDelete, "/v1/records/r-ops"},
			} {
				var b any
				if m.method != http.MethodDelete {
					b = body
				}
				code, raw := g.Do(m.method, m.path, b, headers...)
				expectError(t, code, raw, http.StatusBadRequest, "malformed_request")
			}
			if _, err := g.Store.Get(t.Context(), model.Memberships, "m-rex-editor"); err == nil {
				t.Error("the write was made")
			}
			if _, err := g.Store.Get(t.Context(), model.Records, "r-ops"); err != nil {
				t.Errorf("the delete was made: %v", err)
			}
		})
	}
}

// TestOnBehalfRefusesUnknownAndInactiveRoles: a role that does not exist
// or is inactive can never be verified, so an on-behalf write giving it
// is refused, naming it; else recreating the role later would hand out
// rights nobody checked.
func TestOnBehalfRefusesUnknownAndInactiveRoles(t *testing.T) {
	g := testkit.StartMem(t, onBehalfSnapshot(), nil)
	// editor goes while r-ops still gives it to group ops.
	if code, raw := g.Do(http.MethodDelete, "/v1/roles/editor?force=true", nil); code != http.StatusNoContent {
		t.Fatalf("force delete editor: %d %s", code, raw)
	}
	code, raw := g.Do(http.MethodPut, "/v1/groups/ops", groupBody("Ops", "mallory"), api.UserHeader, "mallory")
	expectError(t, code, raw, http.StatusForbidden, "forbidden", "editor")
	if _, problems := problemsOf(t, raw); len(problems) != 1 {
		t.Errorf("problems %+v, want one naming editor", problems)
	}

	// An inactive role, even one whose permissions dave may hand out.
	dormant := map[string]any{"name": "Dormant", "isActive": false, "permissions": []map[string]any{{"action": "read:projects"}}}
	if code, raw := g.Do(http.MethodPut, "/v1/roles/dormant", dormant); code != http.StatusCreated {
		t.Fatalf("create dormant: %d %s", code, raw)
	}
	code, raw = g.Do(http.MethodPut, "/v1/memberships/m-rex-dormant", membershipBody("rex", "accounts/A", "dormant"), api.UserHeader, "dave")
	expectError(t, code, raw, http.StatusForbidden, "forbidden", "dormant")
	code, raw = g.Do(http.MethodPut, "/v1/records/r-rex-dormant", recordBody("rex", statementBody("dormant", "accounts/A")), api.UserHeader, "dave")
	expectError(t, code, raw, http.StatusForbidden, "forbidden", "dormant")

	// Recreating editor hands mallory nothing: she never joined ops.
	editor := map[string]any{"name": "Editor", "permissions": []map[string]any{{"action": "write:projects"}}}
	if code, raw := g.Do(http.MethodPut, "/v1/roles/editor", editor); code != http.StatusCreated {
		t.Fatalf("recreate editor: %d %s", code, raw)
	}
	check := check{User: "mallory", Resource: "accounts/A/p1", Permission: "write:projects"}
	if code, raw := g.Do(http.MethodPost, "/v1/authorize", check); code != http.StatusOK || !strings.Contains(string(raw), `"allowed":false`) {
		t.Errorf("mallory after editor came back: %d %s", code, raw)
	}
}

// TestDeleteReferencedDocument: deleting a role, group or extension that
// documents still name is a 409 listing each reference; ?force=true
// deletes anyway, except on behalf of a user.
func TestDeleteReferencedDocument(t *testing.T) {
	snap := onBehalfSnapshot()
	snap.Memberships = append(snap.Memberships, model.Membership{Meta: model.Meta{ID: "m-x"}, UserID: "x", Context: "accounts/A", Roles: []string{"viewer", "editor"}})
	snap.Records = append(snap.Records, model.Record{Meta: model.Meta{ID: "r-st"}, Status: model.StatusDeleted, Statements: []model.Statement{
		{Roles: []string{"viewer"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/A"}}, Groups: []model.GroupRef{{GroupID: "x"}, {GroupID: "ops"}}},
	}})
	g := testkit.StartMem(t, snap, nil)
	tests := []struct {
		path string
		want []model.Problem
	}{
		{"/v1/roles/editor", []model.Problem{
			{Collection: "memberships", ID: "m-x", Field: "roles[1]"},
			{Collection: "records", ID: "r-ops", Field: "statements[0].roles[0]"},
		}},
		{"/v1/groups/ops", []model.Problem{
			{Collection: "records", ID: "r-ops", Field: "groups[0].groupId"},
			{Collection: "records", ID: "r-st", Field: "statements[0].groups[1].groupId"},
		}},
		{"/v1/groups/readers", []model.Problem{{Collection: "records", ID: "r-readers", Field: "groups[0].groupId"}}},
		{"/v1/extensions/ext1", []model.Problem{{Collection: "installations", ID: "i-A", Field: "extensionId"}}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			code, raw := g.Do(http.MethodDelete, tc.path, nil)
			if code != http.StatusConflict {
				t.Fatalf("status %d, want 409; body %s", code, raw)
			}
			errCode, problems := problemsOf(t, raw)
			if errCode != "conflict" {
				t.Errorf("code %q, want conflict", errCode)
			}
			for i := range problems {
				problems[i].Message = ""
			}
			if diff := cmp.Diff(tc.want, problems); diff != "" {
				t.Errorf("references (-want +got):\n%s", diff)
			}
			code, raw = g.Do(http.MethodDelete, tc.path+"?force=true", nil, api.UserHeader, "dave")
			expectError(t, code, raw, http.StatusForbidden, "forbidden")
			if code, raw := g.Do(http.MethodGet, tc.path, nil); code != http.StatusOK {
				t.Fatalf("GET after refused deletes: %d %s", code, raw)
			}
			if code, raw := g.Do(http.MethodDelete, tc.path+"?force=maybe", nil); code != http.StatusBadRequest {
				t.Errorf("force=maybe: %d %s", code, raw)
			}
			if code, raw := g.Do(http.MethodDelete, tc.path+"?force=true", nil); code != http.StatusNoContent {
				t.Fatalf("force delete: %d %s", code, raw)
			}
		})
	}
	if code, raw := g.Do(http.MethodDelete, "/v1/roles/lead", nil); code != http.StatusNoContent {
		t.Errorf("deleting an unreferenced role: %d %s", code, raw)
	}
}

// TestRoleGrantFlags: a role with canGrantToUsers false never goes into a
// record or membership, with or without the on-behalf header (422 naming
// the role and field); turning the flag off while documents give the role
// is a 409 listing them unless ?force=true.
func TestRoleGrantFlags(t *testing.T) {
	g := testkit.StartMem(t, onBehalfSnapshot(), nil)
	appOnly := map[string]any{"name": "App only", "canGrantToUsers": false, "permissions": []map[string]any{{"action": "read:projects"}}}
	if code, raw := g.Do(http.MethodPut, "/v1/roles/app-only", appOnly); code != http.StatusCreated {
		t.Fatalf("create app-only: %d %s", code, raw)
	}
	writes := []struct {
		path  string
		body  any
		field string
	}{
		{"/v1/memberships/m-app", membershipBody("rex", "accounts/A", "viewer", "app-only"), "roles[1]"},
		{"/v1/records/r-app", recordBody("rex", statementBody("viewer", "accounts/A"), statementBody("app-only", "accounts/A")), "statements[1].roles[0]"},
		{"/v1/records/r-app-group", groupRecordBody("ops", statementBody("app-only", "accounts/A")), "statements[0].roles[0]"},
	}
	for _, w := range writes {
		for _, user := range []string{"", "dave"} {
			var headers []string
			if user != "" {
				headers = []string{api.UserHeader, user}
			}
			code, raw := g.Do(http.MethodPut, w.path, w.body, headers...)
			expectError(t, code, raw, http.StatusUnprocessableEntity, "invalid_input", w.field+" ")
			expectError(t, code, raw, http.StatusUnprocessableEntity, "invalid_input", "app-only", "canGrantToUsers")
		}
	}

	viewer := map[string]any{"name": "Viewer", "canGrantToUsers": false, "permissions": []map[string]any{{"action": "read:projects"}}}
	code, raw := g.Do(http.MethodPut, "/v1/roles/viewer", viewer)
	expectError(t, code, raw, http.StatusConflict, "conflict", "records/r-erin statements[0].roles[0]", "records/r-readers statements[0].roles[0]")
	if code, raw := g.Do(http.MethodPut, "/v1/roles/viewer?force=true", viewer); code != http.StatusOK {
		t.Fatalf("force: %d %s", code, raw)
	}
	// Turning it back on needs no force.
	viewer["canGrantToUsers"] = true
	if code, raw := g.Do(http.MethodPut, "/v1/roles/viewer", viewer); code != http.StatusOK {
		t.Fatalf("turn back on: %d %s", code, raw)
	}
}
