package engine_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

func TestCacheServesSameRevisionOnly(t *testing.T) {
	e := loaded(t)
	in := engine.Input{User: "alice", Resource: "/accounts/A/", Permission: "READ:x"}
	first, err := e.Decide(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := e.Decide(t.Context(), engine.Input{User: "alice", Resource: "accounts/A", Permission: "read:x"})
	if st := e.CacheStats(); st.Hits != 1 || st.Misses != 1 {
		t.Fatalf("stats %+v, want the canonical input to hit", st)
	}
	if second.DecisionID == first.DecisionID || second.Allowed != first.Allowed {
		t.Errorf("hit %+v vs first %+v: want the same answer under a new decision id", second, first)
	}
	// A write that revokes alice's record bumps the revision: no stale hit.
	if _, err := e.Apply(t.Context(), []engine.Change{{Collection: model.Records, ID: "r1"}}); err != nil {
		t.Fatal(err)
	}
	third, _ := e.Decide(t.Context(), in)
	if third.Allowed || third.Revision != first.Revision+1 {
		t.Errorf("after revoke: %+v", third)
	}
}

func TestCacheHonoursExpiry(t *testing.T) {
	soon := time.Now().Add(2 * time.Second) // room for a slow Load on a busy machine
	snap := fixture()
	snap.Records = append(snap.Records, model.Record{Meta: model.Meta{ID: "brief"}, Status: "ACTIVE", ExpiresAt: &soon,
		Users:      []model.UserRef{{UserID: "erin"}},
		Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "docs"}}}}})
	e := engine.New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	in := engine.Input{User: "erin", Resource: "docs/1", Permission: "read"}
	if d, _ := e.Decide(t.Context(), in); !d.Allowed {
		t.Fatal("not allowed before expiry")
	}
	if d, _ := e.Decide(t.Context(), in); !d.Allowed || e.CacheStats().Hits != 1 {
		t.Fatalf("second decision before expiry: %+v, stats %+v", d, e.CacheStats())
	}
	time.Sleep(time.Until(soon) + 10*time.Millisecond)
	if d, _ := e.Decide(t.Context(), in); d.Allowed {
		t.Fatal("cache served a decision past the expiry it depended on")
	}
}

func TestCacheEvaluatesConcurrentMissesOnce(t *testing.T) {
	e := loaded(t)
	in := engine.Input{User: "bob", Resource: "accounts/Q/chats/1", Permission: "read"}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := e.Decide(t.Context(), in); err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if st := e.CacheStats(); st.Entries != 1 || st.Hits+st.Misses != 50 || st.Evaluations != 1 {
		t.Errorf("stats %+v", st)
	}
}

// A hook rule may depend on anything, the time included: with one loaded,
// no decision is served from the cache.
func TestCacheSkipsDecisionsWithHooks(t *testing.T) {
	turn := time.Now().Add(time.Second).UnixNano()
	snap := fixture()
	snap.Policies = append(snap.Policies, model.Policy{Meta: model.Meta{ID: "closing-time"}, Source: fmt.Sprintf(
		"package gatehouse.hooks\n\ndeny contains \"closed\" if time.now_ns() >= %d\n", turn)})
	e := engine.New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	in := engine.Input{User: "alice", Resource: "accounts/A", Permission: "read:x"}
	if d, err := e.Decide(t.Context(), in); err != nil || !d.Allowed {
		t.Fatalf("before the hook's time: %+v, %v; want allowed", d, err)
	}
	time.Sleep(time.Until(time.Unix(0, turn)) + 10*time.Millisecond)
	d, err := e.Decide(t.Context(), in)
	if err != nil || d.Allowed || d.DeniedBy == nil || *d.DeniedBy != "policy" {
		t.Errorf("after the hook's time: %+v, %v; want denied by policy", d, err)
	}
	if st := e.CacheStats(); st.Hits != 0 || st.Entries != 0 {
		t.Errorf("cache stats %+v, want the cache unused", st)
	}
}
