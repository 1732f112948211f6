package manage

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// refusal is a write that must be refused on behalf of User.
type refusal struct {
	name   string
	user   string
	method string
	path   string
	body   any
	want   []missing
	// denied are decisions that are denied before and must stay denied.
	denied []check
	// allowed are decisions that are allowed before and must stay allowed.
	allowed []check
}

// TestOnBehalf checks SPEC section 5's on-behalf-of writes end to end
// against one server: every escalation is refused and changes nothing,
// and the allowed counterparts are visible to decisions at once.
func TestOnBehalf(t *testing.T) {
	g := testkit.Start(t, onBehalfSnapshot())
	t.Run("refused", func(t *testing.T) { testRefused(t, g) })
	t.Run("not on behalf", func(t *testing.T) { testNotOnBehalf(t, g) })
	t.Run("allowed", func(t *testing.T) { testAllowed(t, g) })
	t.Run("grant chain", func(t *testing.T) { testGrantChain(t, g) })
	t.Run("without header", func(t *testing.T) { testWithoutHeader(t, g) })
	t.Run("delegate without grant", func(t *testing.T) { testDelegateOnly(t, g) })
	t.Run("installation resources", func(t *testing.T) { testInstallationResources(t, g) })
	t.Run("writes stay visible", func(t *testing.T) { testWritesStayVisible(t, g) })
	t.Run("revoked and given again elsewhere", func(t *testing.T) { testRevokedElsewhere(t, g) })
}

func testRefused(t *testing.T, g *testkit.Gate) {
	for _, tc := range refusals() {
		t.Run(tc.name, func(t *testing.T) {
			expectDecisions(t, g, "before", false, tc.denied...)
			expectDecisions(t, g, "before", true, tc.allowed...)
			before := getState(t, g, tc.path)

			code, raw := doAs(t, g, tc.method, tc.path, tc.user, tc.body)
			expectForbidden(t, code, raw, tc.want)

			if after := getState(t, g, tc.path); after != before {
				t.Errorf("GET %s after the refused write: %+v, want %+v", tc.path, after, before)
			}
			expectDecisions(t, g, "after", false, tc.denied...)
			expectDecisions(t, g, "after", true, tc.allowed...)
		})
	}
}

func refusals() []refusal {
	rexReads := func(uri string) check { return check{User: "rex", Resource: uri, Permission: "read:projects"} }
	return []refusal{
		{
			name: "membership with a role whose permission the user cannot grant",
			user: "alice", method: http.MethodPut, path: "/v1/memberships/m-rex-editor",
			body:   membershipBody("rex", "accounts/A", "editor"),
			want:   []missing{{"editor", "write:projects", "accounts/A", "grant"}},
			denied: []check{{User: "rex", Resource: "accounts/A/p1", Permission: "write:projects"}},
		},
		{
			name: "record on a resource outside the user's reach",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-rex-B",
			body:   recordBody("rex", statementBody("viewer", "accounts/B")),
			want:   []missing{{"viewer", "read:projects", "accounts/B", "grant"}},
			denied: []check{rexReads("accounts/B")},
		},
		{
			name: "record on a resource above the user's grant",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-rex-all",
			body:   recordBody("rex", statementBody("viewer", "accounts")),
			want:   []missing{{"viewer", "read:projects", "accounts", "grant"}},
			denied: []check{rexReads("accounts/C")},
		},
		{
			name: "record whose * segment reaches other accounts",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-rex-star",
			body:   recordBody("rex", statementBody("viewer", "accounts/*/projects")),
			want:   []missing{{"viewer", "read:projects", "accounts/*/projects", "grant"}},
			denied: []check{rexReads("accounts/C/projects/p1")},
		},
		{
			name: "role whose permission carries grant, without delegate",
			user: "alice", method: http.MethodPut, path: "/v1/memberships/m-rex-lead",
			body:   membershipBody("rex", "accounts/A", "lead"),
			want:   []missing{{"lead", "read:projects", "accounts/A", "delegate"}},
			denied: []check{rexReads("accounts/A")},
		},
		{
			name: "every missing item of every statement is listed",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-rex-many",
			body: recordBody("rex",
				statementBody("viewer", "accounts/A/x", "accounts/B"),
				statementBody("editor", "accounts/A/y"),
			),
			want: []missing{
				{"viewer", "read:projects", "accounts/B", "grant"},
				{"editor", "write:projects", "accounts/A/y", "grant"},
			},
			denied: []check{rexReads("accounts/A/x"), rexReads("accounts/B")},
		},
		{
			name: "user holding nothing",
			user: "mallory", method: http.MethodPut, path: "/v1/memberships/m-mallory",
			body:   membershipBody("mallory", "accounts/A", "viewer"),
			want:   []missing{{"viewer", "read:projects", "accounts/A", "grant"}},
			denied: []check{{User: "mallory", Resource: "accounts/A", Permission: "read:projects"}},
		},
		{
			name: "changing a record to give more",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-readers",
			body: groupRecordBody("readers", statementBody("viewer", "accounts/A/projects"), statementBody("editor", "accounts/A/projects")),
			want: []missing{{"editor", "write:projects", "accounts/A/projects", "grant"}},
		},
		{
			name: "replacing a record that gives what the user cannot grant",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-ops",
			body: groupRecordBody("ops", statementBody("viewer", "accounts/A")),
			want: []missing{{"editor", "write:projects", "accounts/A", "grant"}},
		},
		{
			name: "taking over a record that gives what the user cannot grant",
			user: "alice", method: http.MethodPut, path: "/v1/records/r-dave",
			body:    recordBody("dave", statementBody("viewer", "accounts/A")),
			want:    []missing{{"delegator", "read:*", "accounts/A", "delegate"}},
			allowed: []check{{User: "dave", Resource: "accounts/A", Permission: "read:other"}},
		},
		{
			name: "adding a member to a group holding a role the user cannot grant",
			user: "alice", method: http.MethodPut, path: "/v1/groups/ops",
			body:   groupBody("Ops", "rex"),
			want:   []missing{{"editor", "write:projects", "accounts/A", "grant"}},
			denied: []check{{User: "rex", Resource: "accounts/A", Permission: "write:projects"}},
		},
		{
			name: "deleting a record that gives what the user cannot grant",
			user: "alice", method: http.MethodDelete, path: "/v1/records/r-dave",
			want:    []missing{{"delegator", "read:*", "accounts/A", "delegate"}},
			allowed: []check{{User: "dave", Resource: "accounts/A", Permission: "read:projects"}},
		},
		{
			name: "installing without extensions:install",
			user: "erin", method: http.MethodPut, path: "/v1/installations/i-erin",
			body:   installationBody("erin", "accounts/A", "read:projects"),
			want:   []missing{{"", "extensions:install", "accounts/A", "allow"}},
			denied: []check{{Installation: "i-erin", Resource: "accounts/A", Permission: "read:projects"}},
		},
		{
			name: "consenting to more than the installer holds",
			user: "alice", method: http.MethodPut, path: "/v1/installations/i-greedy",
			body: installationBody("alice", "accounts/A", "read:projects", "delete:projects"),
			want: []missing{{"", "delete:projects", "accounts/A", "allow"}},
			denied: []check{
				{Installation: "i-greedy", Resource: "accounts/A", Permission: "read:projects"},
				{Installation: "i-greedy", Resource: "accounts/A", Permission: "delete:projects"},
			},
		},
		{
			name: "widening an installation's consent",
			user: "alice", method: http.MethodPut, path: "/v1/installations/i-A",
			body:    installationBody("alice", "accounts/A", "read:projects", "delete:projects"),
			want:    []missing{{"", "delete:projects", "accounts/A", "allow"}},
			denied:  []check{{Installation: "i-A", Resource: "accounts/A", Permission: "delete:projects"}},
			allowed: []check{{Installation: "i-A", Resource: "accounts/A", Permission: "read:projects"}},
		},
		{
			name: "installing outside the user's reach",
			user: "alice", method: http.MethodPut, path: "/v1/installations/i-B",
			body: installationBody("alice", "accounts/B", "read:projects"),
			want: []missing{
				{"", "extensions:install", "accounts/B", "allow"},
				{"", "read:projects", "accounts/B", "allow"},
			},
			denied: []check{{Installation: "i-B", Resource: "accounts/B", Permission: "read:projects"}},
		},
		{
			name: "uninstalling without extensions:install",
			user: "erin", method: http.MethodDelete, path: "/v1/installations/i-A",
			want:    []missing{{"", "extensions:install", "accounts/A", "allow"}},
			allowed: []check{{Installation: "i-A", Resource: "accounts/A", Permission: "read:projects"}},
		},
	}
}

// testNotOnBehalf checks that roles, extensions, tenants and policies
// cannot be changed on behalf of a user at all, not even by one who holds
// every permission there is.
func testNotOnBehalf(t *testing.T, g *testkit.Gate) {
	grow := map[string]any{"name": "viewer", "permissions": []map[string]any{{"action": "*", "grant": true, "delegate": true}}}
	tests := []struct {
		name, method, path string
		body               any
		allowed            []check
		denied             []check
	}{
		{"change a role", http.MethodPut, "/v1/roles/viewer", grow,
			[]check{{User: "erin", Resource: "accounts/A", Permission: "read:projects"}},
			[]check{{User: "erin", Resource: "accounts/A", Permission: "write:projects"}}},
		{"create a role", http.MethodPut, "/v1/roles/root", grow, nil, nil},
		{"delete a role", http.MethodDelete, "/v1/roles/viewer", nil,
			[]check{{User: "erin", Resource: "accounts/A", Permission: "read:projects"}}, nil},
		{"change an extension", http.MethodPut, "/v1/extensions/ext1",
			map[string]any{"name": "Ext 1", "permissions": []string{"*"}},
			[]check{{Installation: "i-A", Resource: "accounts/A", Permission: "read:projects"}}, nil},
		{"delete an extension", http.MethodDelete, "/v1/extensions/ext1", nil,
			[]check{{Installation: "i-A", Resource: "accounts/A", Permission: "read:projects"}}, nil},
		{"change a tenant", http.MethodPut, "/v1/tenants/t1", map[string]any{"name": "Renamed"}, nil, nil},
		{"create a tenant", http.MethodPut, "/v1/tenants/t2", map[string]any{"name": "Tenant 2"}, nil, nil},
		{"delete a tenant", http.MethodDelete, "/v1/tenants/t1", nil, nil, nil},
		{"create a policy", http.MethodPut, "/v1/policies/p1",
			map[string]any{"source": "package custom.obo\n\nallow := true\n"}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := getState(t, g, tc.path)
			// dave holds everything alice does and more; it must not matter.
			for _, user := range []string{"alice", "dave"} {
				code, raw := doAs(t, g, tc.method, tc.path, user, tc.body)
				expectForbidden(t, code, raw, nil)
			}
			if after := getState(t, g, tc.path); after != before {
				t.Errorf("GET %s after the refused write: %+v, want %+v", tc.path, after, before)
			}
			expectDecisions(t, g, "after", true, tc.allowed...)
			expectDecisions(t, g, "after", false, tc.denied...)
		})
	}
}

// writeAs makes a write on behalf of user and checks its status (any 2xx
// when wantStatus is 0) and the version it returns (unless 0).
func writeAs(t *testing.T, g *testkit.Gate, method, path, user string, body any, wantStatus int, wantVersion int64, headers ...string) {
	t.Helper()
	code, raw := doAs(t, g, method, path, user, body, headers...)
	if code != wantStatus && (wantStatus != 0 || code >= 300) {
		t.Fatalf("%s %s as %s: status %d, want %d; body %s", method, path, user, code, wantStatus, raw)
	}
	if wantVersion == 0 {
		return
	}
	var meta struct {
		Version int64 `json:"version"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if meta.Version != wantVersion {
		t.Errorf("%s %s: version %d, want %d", method, path, meta.Version, wantVersion)
	}
}

// expectReason checks that c is allowed at once, through the document kind/id.
func expectReason(t *testing.T, g *testkit.Gate, c check, kind, id string) {
	t.Helper()
	d := decide(t, g, c)
	if !d.Allowed {
		t.Fatalf("%+v denied right after the write (denied_by %v)", c, d.DeniedBy)
	}
	byKindAndID := cmpopts.IgnoreFields(engine.Reason{}, "Role", "Resource")
	if diff := gocmp.Diff([]engine.Reason{{Kind: kind, ID: id}}, d.Reasons, byKindAndID); diff != "" {
		t.Errorf("%+v reasons (-want +got):\n%s", c, diff)
	}
}

func testAllowed(t *testing.T, g *testkit.Gate) {
	bobReads := func(uri string) check { return check{User: "bob", Resource: uri, Permission: "read:projects"} }
	t.Run("membership with a role the user can grant", func(t *testing.T) {
		expectDecisions(t, g, "before", false, bobReads("accounts/A/projects/p1"))
		writeAs(t, g, http.MethodPut, "/v1/memberships/m-bob", "alice",
			membershipBody("bob", "accounts/A/projects/p1", "viewer"), http.StatusCreated, 1)
		expectReason(t, g, bobReads("accounts/A/projects/p1/tasks"), "membership", "m-bob")
	})
	t.Run("changing that membership", func(t *testing.T) {
		writeAs(t, g, http.MethodPut, "/v1/memberships/m-bob", "alice",
			membershipBody("bob", "accounts/A/projects/p2", "viewer"), http.StatusOK, 2, "If-Match", `"1"`)
		expectReason(t, g, bobReads("accounts/A/projects/p2"), "membership", "m-bob")
		expectDecisions(t, g, "after the move", false, bobReads("accounts/A/projects/p1"))
	})
	t.Run("record below the user's grant", func(t *testing.T) {
		expectDecisions(t, g, "before", false, bobReads("accounts/A/chats/1"))
		writeAs(t, g, http.MethodPut, "/v1/records/r-bob-chats", "alice",
			recordBody("bob", statementBody("viewer", "accounts/A/chats")), http.StatusCreated, 1)
		expectReason(t, g, bobReads("accounts/A/chats/1"), "record", "r-bob-chats")
	})
	t.Run("deleting that record", func(t *testing.T) {
		writeAs(t, g, http.MethodDelete, "/v1/records/r-bob-chats", "alice", nil, http.StatusNoContent, 0)
		expectDecisions(t, g, "after the delete", false, bobReads("accounts/A/chats/1"))
		if s := getState(t, g, "/v1/records/r-bob-chats"); s.Status != http.StatusNotFound {
			t.Errorf("GET after delete: %+v, want 404", s)
		}
	})
	t.Run("adding a member to a group whose roles the user can grant", func(t *testing.T) {
		expectDecisions(t, g, "before", false, bobReads("accounts/A/projects/p9"))
		writeAs(t, g, http.MethodPut, "/v1/groups/readers", "alice", groupBody("Readers", "bob"), http.StatusOK, 2)
		expectReason(t, g, bobReads("accounts/A/projects/p9"), "record", "r-readers")
	})
	t.Run("installing with consent the installer holds", func(t *testing.T) {
		ext := check{Installation: "i-ok", Resource: "accounts/A/projects/p1", Permission: "read:projects"}
		expectDecisions(t, g, "before", false, ext)
		writeAs(t, g, http.MethodPut, "/v1/installations/i-ok", "alice",
			installationBody("alice", "accounts/A", "read:projects"), http.StatusCreated, 1)
		expectReason(t, g, ext, "installation", "i-ok")
		expectDecisions(t, g, "beyond consent", false,
			check{Installation: "i-ok", Resource: "accounts/A", Permission: "delete:projects"})
		expectDecisions(t, g, "as bob through it", true,
			check{User: "bob", Installation: "i-ok", Resource: "accounts/A/projects/p2", Permission: "read:projects"})
	})
}

// testGrantChain hands out a role carrying grant with delegate, and
// checks that its receiver may pass on the permission but not the grant.
func testGrantChain(t *testing.T, g *testkit.Gate) {
	ginaReads := check{User: "gina", Resource: "accounts/A/x", Permission: "read:projects"}
	halReads := check{User: "hal", Resource: "accounts/A/x", Permission: "read:projects"}
	expectDecisions(t, g, "before", false, ginaReads, halReads)

	writeAs(t, g, http.MethodPut, "/v1/memberships/m-gina-lead", "dave",
		membershipBody("gina", "accounts/A", "lead"), http.StatusCreated, 1)
	expectReason(t, g, ginaReads, "membership", "m-gina-lead")

	writeAs(t, g, http.MethodPut, "/v1/memberships/m-hal", "gina",
		membershipBody("hal", "accounts/A/x", "viewer"), http.StatusCreated, 1)
	expectReason(t, g, halReads, "membership", "m-hal")

	code, raw := doAs(t, g, http.MethodPut, "/v1/memberships/m-hal-lead", "gina", membershipBody("hal", "accounts/A", "lead"))
	expectForbidden(t, code, raw, []missing{{"lead", "read:projects", "accounts/A", "delegate"}})
	if s := getState(t, g, "/v1/memberships/m-hal-lead"); s.Status != http.StatusNotFound {
		t.Errorf("GET after the refused write: %+v, want 404", s)
	}
}

// testWithoutHeader checks that the same write, refused on behalf of
// alice, is made with the caller's own rights when no user is named.
func testWithoutHeader(t *testing.T, g *testkit.Gate) {
	c := check{User: "rex", Resource: "accounts/A/p1", Permission: "write:projects"}
	body := membershipBody("rex", "accounts/A", "editor")
	code, raw := doAs(t, g, http.MethodPut, "/v1/memberships/m-rex-editor", "alice", body)
	expectForbidden(t, code, raw, []missing{{"editor", "write:projects", "accounts/A", "grant"}})
	writeAs(t, g, http.MethodPut, "/v1/memberships/m-rex-editor", "", body, http.StatusCreated, 1)
	expectReason(t, g, c, "membership", "m-rex-editor")
}

// testDelegateOnly: a permission carrying delegate lets its holder hand
// out grant, so giving it needs delegate too; otherwise alice, who holds
// grant alone, would give herself delegate and then hand out lead. And
// delegate alone is not grant: giving lead needs both.
func testDelegateOnly(t *testing.T, g *testkit.Gate) {
	code, raw := doAs(t, g, http.MethodPut, "/v1/memberships/m-alice-deleg", "alice",
		membershipBody("alice", "accounts/A", "deleg-only"))
	expectForbidden(t, code, raw, []missing{{"deleg-only", "read:projects", "accounts/A", "delegate"}})
	if s := getState(t, g, "/v1/memberships/m-alice-deleg"); s.Status != http.StatusNotFound {
		t.Errorf("GET after the refused write: %+v, want 404", s)
	}
	code, raw = doAs(t, g, http.MethodPut, "/v1/memberships/m-rex-lead", "alice", membershipBody("rex", "accounts/A", "lead"))
	expectForbidden(t, code, raw, []missing{{"lead", "read:projects", "accounts/A", "delegate"}})

	// dave holds delegate and may hand it out. ivy, holding delegate
	// without grant, may not give lead: it hands out read:projects itself,
	// which needs grant (else jay, her friend, could give it back to her).
	writeAs(t, g, http.MethodPut, "/v1/memberships/m-ivy-deleg", "dave",
		membershipBody("ivy", "accounts/A", "deleg-only"), http.StatusCreated, 1)
	code, raw = doAs(t, g, http.MethodPut, "/v1/memberships/m-jay-lead", "ivy", membershipBody("jay", "accounts/A/j", "lead"))
	expectForbidden(t, code, raw, []missing{{"lead", "read:projects", "accounts/A/j", "grant"}})
	expectDecisions(t, g, "after the refused write", false, check{User: "jay", Resource: "accounts/A/j/1", Permission: "read:projects"})
	// dave holds both and may.
	writeAs(t, g, http.MethodPut, "/v1/memberships/m-jay-lead", "dave",
		membershipBody("jay", "accounts/A/j", "lead"), http.StatusCreated, 1)
	expectReason(t, g, check{User: "jay", Resource: "accounts/A/j/1", Permission: "read:projects"}, "membership", "m-jay-lead")
}

// testInstallationResources: an installation's resources are its scope;
// one reaching beyond its context would let the extension, as itself, act
// where the installer holds nothing. It is refused as invalid for every
// caller, so on behalf of alice too, and changes nothing.
func testInstallationResources(t *testing.T, g *testkit.Gate) {
	ext := check{Installation: "i-wide", Resource: "accounts/B/p1", Permission: "read:projects"}
	body := installationBody("alice", "accounts/A", "read:projects")
	body["resources"] = []string{"accounts/A/projects", "accounts/B"}
	code, raw := doAs(t, g, http.MethodPut, "/v1/installations/i-wide", "alice", body)
	var got api.ErrorBody
	if err := json.Unmarshal(raw, &got); err != nil || code != http.StatusUnprocessableEntity || got.Code != "invalid_input" {
		t.Fatalf("status %d body %s, want 422 invalid_input", code, raw)
	}
	if len(got.Errors) != 1 || got.Errors[0].Field != "resources[1]" {
		t.Errorf("errors %+v, want one on resources[1]", got.Errors)
	}
	if s := getState(t, g, "/v1/installations/i-wide"); s.Status != http.StatusNotFound {
		t.Errorf("GET after the refused write: %+v, want 404", s)
	}
	expectDecisions(t, g, "after", false, ext)
}

// testWritesStayVisible checks read-your-writes over time while the
// server also polls and resyncs the store in the background (the harness
// default): after each acknowledged write, decisions must see it and keep
// seeing it, not flip back to the previous version when a background sync
// that read the store before the write is applied after it. The writes
// come back to back so that they overlap the syncs.
func testWritesStayVisible(t *testing.T, g *testkit.Gate) {
	const writes, checks = 60, 5
	for i := range writes {
		now := check{User: "vis", Resource: fmt.Sprintf("accounts/A/vis/%d", i), Permission: "read:projects"}
		before := check{User: "vis", Resource: fmt.Sprintf("accounts/A/vis/%d", i-1), Permission: "read:projects"}
		writeAs(t, g, http.MethodPut, "/v1/memberships/m-vis", "alice", membershipBody("vis", now.Resource, "viewer"), 0, int64(i+1))
		for j := range checks {
			if !decide(t, g, now).Allowed || (i > 0 && decide(t, g, before).Allowed) {
				t.Fatalf("m-vis version %d was acknowledged (stored: %+v), then decision %d of %d saw an older version",
					i+1, getState(t, g, "/v1/memberships/m-vis"), j+1, checks)
			}
		}
	}
}

// testRevokedElsewhere: a membership given three times here is revoked
// and given again, narrower, by another writer on the same store (another
// server, or an import). Versions start again at 1 after a delete, so the
// new document must not be taken for an older version of the revoked one.
func testRevokedElsewhere(t *testing.T, g *testkit.Gate) {
	wide := check{User: "zed", Resource: "accounts/A/x", Permission: "read:projects"}
	for i := range 3 {
		writeAs(t, g, http.MethodPut, "/v1/memberships/m-zed", "alice", membershipBody("zed", "accounts/A", "viewer"), 0, int64(i+1))
	}
	expectDecisions(t, g, "before", true, wide)

	ctx := t.Context()
	if _, err := g.Srv.Store.Delete(ctx, model.Memberships, "m-zed", nil); err != nil {
		t.Fatal(err)
	}
	narrow := &model.Membership{Meta: model.Meta{ID: "m-zed"}, UserID: "zed", Context: "accounts/A/y", Roles: []string{"viewer"}}
	if _, err := g.Srv.Store.Put(ctx, model.Memberships, narrow, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second) // many polls and resyncs of the harness's server
	for decide(t, g, wide).Allowed {
		if time.Now().After(deadline) {
			t.Fatalf("m-zed was revoked and given again narrower (stored: %+v), yet %+v is still allowed",
				getState(t, g, "/v1/memberships/m-zed"), wide)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The delete and the new document arrive as two changes; a poll may land
	// between them, so wait for the narrower grant too before checking it.
	narrowCheck := check{User: "zed", Resource: "accounts/A/y/1", Permission: "read:projects"}
	for !decide(t, g, narrowCheck).Allowed {
		if time.Now().After(deadline) {
			t.Fatalf("the narrower membership never took effect: %+v", narrowCheck)
		}
		time.Sleep(50 * time.Millisecond)
	}
	expectReason(t, g, narrowCheck, "membership", "m-zed")
}
