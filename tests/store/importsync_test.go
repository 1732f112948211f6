package store

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/syncer"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// TestImportReachesRunningServers imports straight into a store two
// running servers share (as `gatehouse import --mongo-uri` does) and
// checks that both see the new and the replaced documents within a few
// sync intervals, long before the next full resync.
func TestImportReachesRunningServers(t *testing.T) {
	store, uri := testkit.StoreWithDemo(t)
	slowResync := func(c *server.Config) {
		c.Sync = syncer.Config{Interval: freshInterval, ResyncInterval: time.Hour}
	}
	a, b := testkit.StartOn(t, uri, slowResync), testkit.StartOn(t, uri, slowResync)
	const chat = "accounts/acme/chats/imported/msg"
	for _, g := range []*testkit.Gate{a, b} {
		if allowed(g, "ivy", chat) {
			t.Fatal("ivy is allowed before the import")
		}
	}
	record := func(status string) *model.Snapshot {
		return &model.Snapshot{Records: []model.Record{{
			Meta: model.Meta{ID: "imported"}, Name: "imported", Status: status,
			Users:      []model.UserRef{{UserID: "ivy"}},
			Statements: []model.Statement{{Roles: []string{"chat-reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/acme/chats/imported"}}}},
		}}}
	}
	if err := store.Import(context.Background(), record(model.StatusActive)); err != nil {
		t.Fatal(err)
	}
	for name, g := range map[string]*testkit.Gate{"a": a, "b": b} {
		took := testkit.Until(t, 10*freshInterval, "imported record reaches server "+name, func() bool { return allowed(g, "ivy", chat) })
		t.Logf("import reached server %s in %v (sync interval %v, resync %v)", name, took, freshInterval, time.Hour)
	}
	if err := store.Import(context.Background(), record(model.StatusDeleted)); err != nil {
		t.Fatal(err)
	}
	for name, g := range map[string]*testkit.Gate{"a": a, "b": b} {
		testkit.Until(t, 10*freshInterval, "imported replacement reaches server "+name, func() bool { return !allowed(g, "ivy", chat) })
	}
}
