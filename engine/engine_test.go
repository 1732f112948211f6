package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

func ptr[T any](v T) *T { return &v }

// fixture is a small data set exercising every kind of grant.
func fixture() *model.Snapshot {
	past := time.Now().Add(-time.Hour)
	return &model.Snapshot{
		Roles: []model.Role{
			{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "read:*"}}},
			{Meta: model.Meta{ID: "admin"}, Permissions: []model.Permission{{Action: "*", Grant: true, Delegate: true}}},
			{Meta: model.Meta{ID: "off"}, IsActive: ptr(false), Permissions: []model.Permission{{Action: "*"}}},
			{Meta: model.Meta{ID: "denier"}, Permissions: []model.Permission{{Action: "write", Allow: ptr(false)}}},
		},
		Records: []model.Record{
			{Meta: model.Meta{ID: "r1"}, Status: "ACTIVE", Users: []model.UserRef{{UserID: "alice"}},
				Statements: []model.Statement{{Roles: []string{"reader", "denier"}, Resources: []model.ResourceRef{{ResourceURI: "/accounts/A/"}}}}},
			{Meta: model.Meta{ID: "r2"}, Status: "DELETED", Users: []model.UserRef{{UserID: "alice"}},
				Statements: []model.Statement{{Roles: []string{"admin"}, Resources: []model.ResourceRef{{ResourceURI: "accounts"}}}}},
			{Meta: model.Meta{ID: "r3"}, Status: "ACTIVE", ExpiresAt: &past, Users: []model.UserRef{{UserID: "alice"}},
				Statements: []model.Statement{{Roles: []string{"admin"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/B"}}}}},
			{Meta: model.Meta{ID: "r4"}, Status: "ACTIVE",
				Statements: []model.Statement{{Roles: []string{"admin"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/*/chats"}},
					Groups: []model.GroupRef{{GroupID: "ops"}}}}},
			{Meta: model.Meta{ID: "r5"}, Status: "ACTIVE", Users: []model.UserRef{{UserID: "carol"}},
				Statements: []model.Statement{{Roles: []string{"off"}, Resources: []model.ResourceRef{{ResourceURI: "accounts"}}}}},
		},
		Groups:      []model.Group{{Meta: model.Meta{ID: "ops"}, Users: []model.UserRef{{UserID: "bob"}}}},
		Memberships: []model.Membership{{Meta: model.Meta{ID: "m1"}, UserID: "dave", Context: "customers/c1", Roles: []string{"reader"}}},
		Extensions:  []model.Extension{{Meta: model.Meta{ID: "ext"}, Permissions: []string{"read:chats", "write:chats"}}},
		Installations: []model.Installation{
			{Meta: model.Meta{ID: "i1"}, ExtensionID: "ext", Context: "accounts/A", Status: "ACTIVE", ConsentedPermissions: []string{"read:*"}},
			{Meta: model.Meta{ID: "i2"}, ExtensionID: "ext", Context: "accounts/A", Status: "DISABLED", ConsentedPermissions: []string{"read:*"}},
		},
	}
}

func loaded(t *testing.T) *engine.Engine {
	t.Helper()
	return loadedOpts(t, engine.Options{DecisionCacheSize: engine.DefaultDecisionCacheSize})
}

func loadedOpts(t *testing.T, o engine.Options) *engine.Engine {
	t.Helper()
	e := engine.NewWithOptions(nil, o)
	if _, err := e.Load(t.Context(), fixture()); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestDecide(t *testing.T) {
	e := loaded(t)
	tests := []struct {
		name     string
		in       engine.Input
		allowed  bool
		deniedBy string
	}{
		{"direct record cascades", engine.Input{User: "alice", Resource: "accounts/A/chats/1", Permission: "read:chats"}, true, ""},
		{"action case-insensitive", engine.Input{User: "alice", Resource: "accounts/A", Permission: "READ:Chats"}, true, ""},
		{"allow false grants nothing", engine.Input{User: "alice", Resource: "accounts/A", Permission: "write"}, false, "user"},
		{"deleted record", engine.Input{User: "alice", Resource: "accounts/Z", Permission: "read"}, false, "user"},
		{"expired record", engine.Input{User: "alice", Resource: "accounts/B", Permission: "read"}, false, "user"},
		{"group and wildcard", engine.Input{User: "bob", Resource: "accounts/Q/chats/9", Permission: "delete"}, true, ""},
		{"wildcard needs the segment", engine.Input{User: "bob", Resource: "accounts/Q", Permission: "delete"}, false, "user"},
		{"inactive role", engine.Input{User: "carol", Resource: "accounts", Permission: "read"}, false, "user"},
		{"membership cascades", engine.Input{User: "dave", Resource: "customers/c1/projects/p", Permission: "read:x"}, true, ""},
		{"through extension", engine.Input{User: "alice", Installation: "i1", Resource: "accounts/A/chats", Permission: "read:chats"}, true, ""},
		{"extension not requested", engine.Input{User: "alice", Installation: "i1", Resource: "accounts/A", Permission: "read:files"}, false, "consent"},
		{"extension disabled", engine.Input{User: "alice", Installation: "i2", Resource: "accounts/A", Permission: "read:chats"}, false, "installation_status"},
		{"extension out of scope", engine.Input{User: "bob", Installation: "i1", Resource: "accounts/Q/chats", Permission: "read:chats"}, false, "installation_scope"},
		{"user lacks it", engine.Input{User: "dave", Installation: "i1", Resource: "accounts/A", Permission: "read:chats"}, false, "user"},
		{"installation alone", engine.Input{Installation: "i1", Resource: "accounts/A/x", Permission: "read:chats"}, true, ""},
		{"unknown installation", engine.Input{Installation: "nope", Resource: "accounts/A", Permission: "read:chats"}, false, "installation_status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.Decide(t.Context(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if d.DeniedBy != nil {
				got = *d.DeniedBy
			}
			if d.Allowed != tt.allowed || got != tt.deniedBy {
				t.Errorf("allowed=%v denied_by=%q, want %v %q (reasons %v)", d.Allowed, got, tt.allowed, tt.deniedBy, d.Reasons)
			}
			if d.Allowed == (len(d.Reasons) == 0) {
				t.Errorf("reasons %v do not match allowed=%v", d.Reasons, d.Allowed)
			}
		})
	}
}

func TestDecideReasons(t *testing.T) {
	e := loaded(t)
	d, err := e.Decide(t.Context(), engine.Input{User: "alice", Installation: "i1", Resource: "accounts/A/chats", Permission: "read:chats"})
	if err != nil {
		t.Fatal(err)
	}
	want := []engine.Reason{
		{Kind: "installation", ID: "i1", Resource: "accounts/A"},
		{Kind: "record", ID: "r1", Role: "reader", Resource: "accounts/A"},
	}
	if diff := cmp.Diff(want, d.Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if d.Revision != 1 || d.DecisionID == "" {
		t.Errorf("revision %d, decision id %q", d.Revision, d.DecisionID)
	}
}

func TestDecideInvalidInput(t *testing.T) {
	e := loaded(t)
	_, err := e.Decide(context.Background(), engine.Input{Resource: "a//b", Permission: "read::x"})
	var inv *engine.InvalidInputError
	if !errors.As(err, &inv) || !errors.Is(err, engine.ErrInvalidInput) {
		t.Fatalf("err = %v, want InvalidInputError", err)
	}
	if len(inv.Problems) != 3 {
		t.Errorf("problems = %v, want 3 (subject, resource, permission)", inv.Problems)
	}
}

func TestNotReady(t *testing.T) {
	_, err := engine.New(nil).Decide(t.Context(), engine.Input{User: "u", Resource: "a", Permission: "p"})
	if !errors.Is(err, engine.ErrNotReady) {
		t.Fatalf("err = %v, want ErrNotReady", err)
	}
}

func TestLookups(t *testing.T) {
	e := loaded(t)
	perms, err := e.Permissions(t.Context(), "alice", "accounts/A/x")
	if err != nil {
		t.Fatal(err)
	}
	wantPerms := []engine.HeldPermission{{Action: "read:*", Allow: true}, {Action: "write"}}
	if diff := cmp.Diff(wantPerms, perms); diff != "" {
		t.Errorf("permissions (-want +got):\n%s", diff)
	}
	res, err := e.Resources(t.Context(), "bob", "delete", "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"accounts/*/chats"}, res); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	ms, err := e.Memberships(t.Context(), "dave", "customers/c1/projects/p")
	if err != nil {
		t.Fatal(err)
	}
	wantMs := []engine.UserMembership{{ID: "m1", Context: "customers/c1", Inherited: true, Roles: []string{"reader"},
		Permissions: []engine.HeldPermission{{Action: "read:*", Allow: true}}}}
	if diff := cmp.Diff(wantMs, ms); diff != "" {
		t.Errorf("memberships (-want +got):\n%s", diff)
	}
}

func TestQuery(t *testing.T) {
	e := loaded(t)
	in := map[string]any{"user": "alice", "resource": "accounts/A", "permission": "read"}
	r, err := e.Query(t.Context(), "gatehouse/authz/allow", in, engine.QueryOptions{Metrics: true, Explain: engine.ExplainNotes})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Defined || r.Result != true || r.Metrics == nil {
		t.Errorf("got %+v, want defined true with metrics", r)
	}
	r, err = e.Query(t.Context(), "gatehouse/nothing/here", nil, engine.QueryOptions{})
	if err != nil || r.Defined {
		t.Errorf("undefined path: %+v, %v", r, err)
	}
	if _, err := e.Query(t.Context(), "a//b", nil, engine.QueryOptions{}); !errors.Is(err, engine.ErrInvalidInput) {
		t.Errorf("bad path err = %v", err)
	}
}

func TestCustomPolicyThatFailsIsSkipped(t *testing.T) {
	snap := fixture()
	snap.Policies = []model.Policy{
		{Meta: model.Meta{ID: "good"}, Source: "package custom.good\n\nx := 1\n"},
		{Meta: model.Meta{ID: "bad"}, Source: "package custom.bad\n\nx := \n"},
	}
	e := engine.New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	r, err := e.Query(t.Context(), "custom/good/x", nil, engine.QueryOptions{})
	if err != nil || !r.Defined {
		t.Fatalf("custom policy not loaded: %+v %v", r, err)
	}
	if r, _ := e.Query(t.Context(), "custom/bad/x", nil, engine.QueryOptions{}); r.Defined {
		t.Errorf("bad policy was loaded")
	}
}
