package store

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/loadertest"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/loader/syncer"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

const (
	freshInterval = 250 * time.Millisecond
	freshResync   = time.Second
)

func freshConfig(c *server.Config) {
	c.Sync = syncer.Config{Interval: freshInterval, ResyncInterval: freshResync}
}

// pollOnly follows the change log alone: with no full resync for an hour,
// only a poll can carry a write across, so the bound below can be wide
// (no timing in a test) and still prove the poll path.
func pollOnly(c *server.Config) {
	c.Sync = syncer.Config{Interval: freshInterval, ResyncInterval: time.Hour}
}

// pollBound is how long a poll may take to carry a write on a busy machine.
const pollBound = 10 * time.Second

// allowed asks g whether user may read chats at uri.
func allowed(g *testkit.Gate, user, uri string) bool {
	return g.Decide(map[string]string{"user": user, "resource": uri, "permission": "chats:read"}).Allowed
}

func TestFreshnessAcrossServers(t *testing.T) {
	store, uri := loadertest.Store(t)
	if err := store.Import(context.Background(), testkit.DemoSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	a, b := testkit.StartOn(t, uri, pollOnly), testkit.StartOn(t, uri, pollOnly)
	uriOf := "accounts/acme/chats/fresh1/msg"

	a.JSON(http.MethodPut, "/v1/records/fresh1", testkit.GrantRecord("fresh1", "zed"), http.StatusCreated, nil)
	if !allowed(a, "zed", uriOf) {
		t.Fatal("the writer does not see its own write")
	}
	took := testkit.Until(t, pollBound, "write reaches the other server", func() bool { return allowed(b, "zed", uriOf) })
	t.Logf("write propagated in %v (sync interval %v)", took, freshInterval)

	if code, body := a.Do(http.MethodDelete, "/v1/records/fresh1", nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", code, body)
	}
	if allowed(a, "zed", uriOf) {
		t.Fatal("the writer still allows after its delete")
	}
	took = testkit.Until(t, pollBound, "delete reaches the other server", func() bool { return !allowed(b, "zed", uriOf) })
	t.Logf("delete propagated in %v", took)
}

func TestFreshnessOutsideWrite(t *testing.T) {
	store, uri := loadertest.Store(t)
	if err := store.Import(context.Background(), testkit.DemoSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	g := testkit.StartOn(t, uri, freshConfig)
	client, err := mongo.Connect(context.Background(), options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	records := client.Database(mongostore.DefaultDatabase).Collection(model.Records)
	doc := bson.M{
		"_id": "outside", "name": "written straight into MongoDB", "status": "ACTIVE",
		"users":      bson.A{bson.M{"userId": "olga"}},
		"statements": bson.A{bson.M{"roles": bson.A{"chat-reader"}, "resources": bson.A{bson.M{"resourceUri": "accounts/acme/chats/outside"}}}},
	}
	if _, err := records.InsertOne(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	took := testkit.Until(t, 3*freshResync, "outside insert picked up", func() bool { return allowed(g, "olga", "accounts/acme/chats/outside") })
	t.Logf("outside insert picked up in %v (resync interval %v)", took, freshResync)
	if _, err := records.DeleteOne(context.Background(), bson.M{"_id": "outside"}); err != nil {
		t.Fatal(err)
	}
	testkit.Until(t, 3*freshResync, "outside delete picked up", func() bool { return !allowed(g, "olga", "accounts/acme/chats/outside") })
}

func TestStoreOutage(t *testing.T) {
	st := loadertest.NewRestartable(t)
	g := testkit.StartOn(t, st.URI(), func(c *server.Config) {
		freshConfig(c)
		c.Store.Timeout = time.Second
		c.API.WriteTimeout = 2 * time.Second
	})
	g.JSON(http.MethodPut, "/v1/roles/chat-reader", map[string]any{"name": "r", "permissions": []map[string]string{{"action": "chats:read"}}}, http.StatusCreated, nil)
	g.JSON(http.MethodPut, "/v1/records/before", testkit.GrantRecord("before", "pia"), http.StatusCreated, nil)

	st.Stop()
	if !allowed(g, "pia", "accounts/acme/chats/before") {
		t.Fatal("decisions stopped with the store")
	}
	start := time.Now()
	code, body := g.Do(http.MethodPut, "/v1/records/during", testkit.GrantRecord("during", "pia"))
	if code != http.StatusServiceUnavailable || time.Since(start) > 5*time.Second {
		t.Fatalf("write during outage: %d after %v: %s", code, time.Since(start), body)
	}
	t.Logf("write refused with 503 after %v", time.Since(start))
	testkit.Until(t, 5*time.Second, "status reports the outage", func() bool {
		var s struct {
			Sync struct{ UnavailableSince *time.Time }
		}
		g.JSON(http.MethodGet, "/v1/status", nil, http.StatusOK, &s)
		return s.Sync.UnavailableSince != nil
	})

	st.Start()
	testkit.Until(t, 15*time.Second, "status reports recovery", func() bool {
		var s struct {
			Sync struct{ UnavailableSince *time.Time }
		}
		g.JSON(http.MethodGet, "/v1/status", nil, http.StatusOK, &s)
		return s.Sync.UnavailableSince == nil
	})
	g.JSON(http.MethodGet, "/v1/records/before", nil, http.StatusOK, nil)
	g.JSON(http.MethodPut, "/v1/records/after", testkit.GrantRecord("after", "pia"), http.StatusCreated, nil)
	if !allowed(g, "pia", "accounts/acme/chats/after") || !allowed(g, "pia", "accounts/acme/chats/before") {
		t.Fatal("decisions after recovery lost a write")
	}
	if code, _ := g.Do(http.MethodGet, "/v1/records/during", nil); code != http.StatusNotFound {
		t.Fatalf("the refused write was stored: %d", code)
	}
}

func TestServerStartsBeforeItsStore(t *testing.T) {
	st := loadertest.NewRestartable(t)
	st.Stop()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.Start(context.Background(), server.Config{
		Store: mongostore.Config{URI: st.URI(), Timeout: 500 * time.Millisecond},
		Addr:  "127.0.0.1:0",
		Sync:  syncer.Config{Interval: 100 * time.Millisecond},
	}, log)
	if err != nil {
		t.Fatalf("server did not start without its store: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	g := testkit.Attach(t, srv)
	if code, _ := g.Do(http.MethodGet, "/ready", nil); code != http.StatusServiceUnavailable {
		t.Fatalf("/ready before the store: %d, want 503", code)
	}
	if code, body := g.Do(http.MethodPut, "/v1/tenants/early", map[string]string{"name": "x"}); code != http.StatusServiceUnavailable {
		t.Fatalf("write before ready: %d %s, want 503", code, body)
	}
	st.Start()
	g.WaitReady()
	if code, _ := g.Do(http.MethodGet, "/v1/tenants/early", nil); code != http.StatusNotFound {
		t.Fatalf("a write refused before ready was stored: GET %d", code)
	}
}
