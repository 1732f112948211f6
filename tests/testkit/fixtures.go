package testkit

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/loadertest"
	"github.com/gatehouse/gatehouse/loader/mongostore"
)

// SameAnswer compares decisions by what they answer, leaving out what
// differs between two evaluations of one question (id and revision).
var SameAnswer cmp.Option = cmpopts.IgnoreFields(engine.Decision{}, "DecisionID", "Revision")

// DemoSnapshot returns the demo data set the README uses.
func DemoSnapshot(t testing.TB) *model.Snapshot {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information to find the demo data")
	}
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "cmd", "gatehouse", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := mongostore.Decode(raw, true)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// StoreWithDemo starts an embedded store holding the demo data.
func StoreWithDemo(t testing.TB) (*mongostore.Store, string) {
	t.Helper()
	return StoreWith(t, DemoSnapshot(t))
}

// StoreWith starts an embedded store holding snap.
func StoreWith(t testing.TB, snap *model.Snapshot) (*mongostore.Store, string) {
	t.Helper()
	store, uri := loadertest.Store(t)
	if err := store.Import(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	return store, uri
}

// GrantRecord is the body of a record giving user chat-reader on
// accounts/acme/chats/{id}.
func GrantRecord(id, user string) map[string]any {
	return map[string]any{
		"name": id, "status": "ACTIVE", "users": []map[string]string{{"userId": user}},
		"statements": []map[string]any{{"roles": []string{"chat-reader"}, "resources": []map[string]string{{"resourceUri": "accounts/acme/chats/" + id}}}},
	}
}

// Until polls cond every 5ms up to limit and returns how long it took;
// it fails the test when cond never holds.
func Until(t testing.TB, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v", what, limit)
	return 0
}
