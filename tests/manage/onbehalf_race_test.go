package manage

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// racingStore runs a concurrent writer's change right after the first read
// of one document: between the on-behalf check, which reads it, and the
// write, which must then fail rather than overwrite the change.
type racingStore struct {
	api.Store
	collection, id string
	race           func()
	once           sync.Once
}

func (s *racingStore) Get(ctx context.Context, collection, id string) (model.Document, error) {
	doc, err := s.Store.Get(ctx, collection, id)
	if collection == s.collection && id == s.id {
		s.once.Do(s.race)
	}
	return doc, err
}

// TestOnBehalfWriteIsConditionalOnTheCheckedVersion: a change made between
// the on-behalf check and the write is never overwritten or deleted; the
// write answers 409 and the concurrent change stays.
func TestOnBehalfWriteIsConditionalOnTheCheckedVersion(t *testing.T) {
	// The concurrent writer (an API key) gives bob editor on accounts/A,
	// which alice could neither give nor take back.
	raced := &model.Membership{Meta: model.Meta{ID: "m-bob"}, UserID: "bob", Context: "accounts/A", Roles: []string{"editor"}}
	bobWrites := check{User: "bob", Resource: "accounts/A/p1", Permission: "write:projects"}
	tests := []struct {
		name     string
		existing bool // m-bob exists (viewer, version 1) before the race
		method   string
		body     any
		headers  []string
	}{
		{"replace without If-Match", true, http.MethodPut, membershipBody("bob", "accounts/A/projects/p1", "viewer"), nil},
		{"delete without If-Match", true, http.MethodDelete, nil, nil},
		{"create without If-Match", false, http.MethodPut, membershipBody("bob", "accounts/A/projects/p1", "viewer"), nil},
		{"create with POST", false, http.MethodPost, map[string]any{
			"_id": "m-bob", "userId": "bob", "context": "accounts/A/projects/p1", "roles": []string{"viewer"},
		}, nil},
		{"replace with the If-Match the check saw", true, http.MethodPut, membershipBody("bob", "accounts/A/projects/p1", "viewer"), []string{"If-Match", `"1"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap := onBehalfSnapshot()
			if tc.existing {
				snap.Memberships = append(snap.Memberships, model.Membership{
					Meta: model.Meta{ID: "m-bob"}, UserID: "bob", Context: "accounts/A/projects/p1", Roles: []string{"viewer"},
				})
			}
			var g *testkit.MemGate
			g = testkit.StartMem(t, snap, func(s api.Store) api.Store {
				return &racingStore{Store: s, collection: model.Memberships, id: "m-bob", race: func() {
					var ifMatch int64
					if tc.existing {
						ifMatch = 1
					}
					stored, err := s.Put(t.Context(), model.Memberships, raced, &ifMatch)
					if err != nil {
						t.Errorf("concurrent write: %v", err)
						return
					}
					if _, err := g.Engine.Apply(t.Context(), []engine.Change{{Collection: model.Memberships, ID: "m-bob", Doc: stored}}); err != nil {
						t.Errorf("apply concurrent write: %v", err)
					}
				}}
			})
			path := "/v1/memberships/m-bob"
			if tc.method == http.MethodPost {
				path = "/v1/memberships"
			}
			headers := append([]string{api.UserHeader, "alice"}, tc.headers...)
			code, raw := g.Do(tc.method, path, tc.body, headers...)
			if code != http.StatusConflict {
				t.Fatalf("%s %s as alice racing a concurrent write: status %d, want 409; body %s", tc.method, path, code, raw)
			}
			got, err := g.Store.Get(t.Context(), model.Memberships, "m-bob")
			if err != nil {
				t.Fatalf("the concurrent write was lost: %v", err)
			}
			if m := got.(*model.Membership); m.Context != "accounts/A" || len(m.Roles) != 1 || m.Roles[0] != "editor" {
				t.Errorf("the concurrent write was overwritten: %+v", m)
			}
			if code, raw := g.Do(http.MethodPost, "/v1/authorize", bobWrites); code != http.StatusOK || !bytes.Contains(raw, []byte(`"allowed":true`)) {
				t.Errorf("bob's concurrent grant no longer decides: %d %s", code, raw)
			}
		})
	}
}

// TestOnBehalfIfMatchMustEqualTheCheckedVersion: a caller's If-Match that
// differs from the version the check read is a conflict, not a write of
// a version nobody checked.
func TestOnBehalfIfMatchMustEqualTheCheckedVersion(t *testing.T) {
	g := testkit.StartMem(t, onBehalfSnapshot(), nil)
	body := membershipBody("bob", "accounts/A/projects/p1", "viewer")
	if code, raw := g.Do(http.MethodPut, "/v1/memberships/m-bob", body, api.UserHeader, "alice", "If-Match", `"0"`); code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, raw)
	}
	for _, ifMatch := range []string{`"0"`, `"2"`} {
		if code, raw := g.Do(http.MethodPut, "/v1/memberships/m-bob", body, api.UserHeader, "alice", "If-Match", ifMatch); code != http.StatusConflict {
			t.Errorf("If-Match %s against version 1: %d, want 409; body %s", ifMatch, code, raw)
		}
		if code, raw := g.Do(http.MethodDelete, "/v1/memberships/m-bob", nil, api.UserHeader, "alice", "If-Match", ifMatch); code != http.StatusConflict {
			t.Errorf("DELETE If-Match %s against version 1: %d, want 409; body %s", ifMatch, code, raw)
		}
	}
	if code, raw := g.Do(http.MethodDelete, "/v1/memberships/m-bob", nil, api.UserHeader, "alice", "If-Match", `"1"`); code != http.StatusNoContent {
		t.Errorf("DELETE with the current If-Match: %d %s", code, raw)
	}
}
