package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/regostore"
)

func TestViewStoreReads(t *testing.T) {
	e := New(nil)
	snap := storeFixture()
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	index := roundTrip(t, BuildIndex(snap))
	store := e.store
	cases := []struct {
		path storage.Path
		want any // nil: not found
	}{
		{storage.Path{"gatehouse", "index"}, index},
		{storage.Path{"gatehouse", "index", "users"}, index.(map[string]any)["users"]},
		{storage.Path{"gatehouse", "index", "users", "alice"}, index.(map[string]any)["users"].(map[string]any)["alice"]},
		{storage.Path{"gatehouse", "index", "users", "alice", "groups"}, []any{"ops"}},
		{storage.Path{"gatehouse", "index", "users", "alice", "by_prefix", "accounts/A", "0", "1"}, "r1"},
		{storage.Path{"gatehouse", "index", "roles", "reader", "allows"}, []any{"read:"}},
		{storage.Path{"gatehouse", "index", "users", "alice", "by_prefix", "accounts/A", "7"}, nil},
		{storage.Path{"gatehouse", "index", "users", "alice", "by_prefix", "accounts/A", "x"}, nil},
		{storage.Path{"gatehouse", "index", "users", "nobody"}, nil},
		{storage.Path{"gatehouse", "index", "tenants"}, nil},
		{storage.Path{"gatehouse", "other"}, nil},
		{storage.Path{"elsewhere"}, nil},
	}
	for _, c := range cases {
		got, err := storage.ReadOne(t.Context(), store, c.path)
		if c.want == nil {
			if !storage.IsNotFound(err) {
				t.Errorf("%v: got %v, %v; want not found", c.path, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.path, err)
			continue
		}
		if diff := cmp.Diff(c.want, roundTrip(t, got)); diff != "" {
			t.Errorf("%v (-want +got):\n%s", c.path, diff)
		}
	}
	root, err := storage.ReadOne(t.Context(), store, storage.Path{})
	if err != nil || roundTrip(t, root).(map[string]any)["gatehouse"].(map[string]any)["revision"] != float64(1) {
		t.Fatalf("root: %v, %v", root, err)
	}
}

// A transaction keeps the revision it began with while Apply publishes
// the next one.
func TestViewStoreTransactionSeesOneRevision(t *testing.T) {
	e := New(nil)
	if _, err := e.Load(t.Context(), storeFixture()); err != nil {
		t.Fatal(err)
	}
	store := e.store
	txn, err := store.NewTransaction(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Abort(t.Context(), txn)
	if _, err := e.Apply(t.Context(), []Change{{Collection: model.Records, ID: "r1"}}); err != nil {
		t.Fatal(err)
	}
	if rev := regostore.Revision(txn); rev != 1 {
		t.Fatalf("revision in the open transaction: %d, want 1", rev)
	}
	if _, err := store.Read(t.Context(), txn, storage.Path{"gatehouse", "index", "users", "alice", "by_prefix", "accounts/A"}); err != nil {
		t.Fatalf("the open transaction lost the deleted record: %v", err)
	}
	fresh, _ := store.NewTransaction(t.Context())
	defer store.Abort(t.Context(), fresh)
	if _, err := store.Read(t.Context(), fresh, storage.Path{"gatehouse", "index", "users", "alice", "by_prefix", "accounts/A"}); !storage.IsNotFound(err) {
		t.Fatalf("a new transaction still sees the deleted record: %v", err)
	}
	if rev, ok := mustRead(t, store, fresh, regostore.RevisionPath).(ast.Number); !ok || rev != "2" {
		t.Fatalf("revision in a new transaction: %v", rev)
	}
}

func TestViewStoreRefusesWrites(t *testing.T) {
	e := New(nil)
	if _, err := e.Load(t.Context(), storeFixture()); err != nil {
		t.Fatal(err)
	}
	store := e.store
	if _, err := store.NewTransaction(t.Context(), storage.WriteParams); err == nil {
		t.Fatal("a write transaction was opened")
	}
	txn, _ := store.NewTransaction(t.Context())
	defer store.Abort(t.Context(), txn)
	if err := store.Write(t.Context(), txn, storage.AddOp, storage.Path{"x"}, 1); err == nil {
		t.Fatal("a write was accepted")
	}
	if err := store.UpsertPolicy(t.Context(), txn, "p", []byte("package p")); err == nil {
		t.Fatal("a policy was stored")
	}
}

func mustRead(t *testing.T, s storage.Store, txn storage.Transaction, p storage.Path) any {
	t.Helper()
	v, err := s.Read(t.Context(), txn, p)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func storeFixture() *model.Snapshot {
	return &model.Snapshot{
		Roles: []model.Role{{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "read"}}}},
		Records: []model.Record{{Meta: model.Meta{ID: "r1"}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "alice"}},
			Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/A"}}}}}},
		Groups: []model.Group{{Meta: model.Meta{ID: "ops"}, Users: []model.UserRef{{UserID: "alice"}}}},
	}
}
