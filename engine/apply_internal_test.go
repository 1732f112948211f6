package engine

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

// TestApplyMatchesFullBuild applies random changes incrementally and checks
// that the stored index equals a full build of the resulting documents.
func TestApplyMatchesFullBuild(t *testing.T) {
	snap := datagen.Snapshot(200, 3)
	e := New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	final := clone(t, snap) // mutated alongside, as the truth
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 30 {
		changes := randomChanges(r, final, round)
		if _, err := e.Apply(t.Context(), changes); err != nil {
			t.Fatal(err)
		}
	}
	got := readIndex(t, e)
	want := roundTrip(t, BuildIndex(final))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("incremental index differs from full build (-want +got):\n%s", diff)
	}
	if rev := e.Revision(); rev != 31 {
		t.Errorf("revision %d after 30 applies, want 31", rev)
	}
}

// randomChanges edits final in place and returns the matching changes.
func randomChanges(r *rand.Rand, s *model.Snapshot, round int) []Change {
	var out []Change
	for range 5 {
		switch r.IntN(8) {
		case 0: // delete a record
			i := r.IntN(len(s.Records))
			out = append(out, Change{Collection: model.Records, ID: s.Records[i].ID})
			s.Records = append(s.Records[:i], s.Records[i+1:]...)
		case 1: // move a record to another user
			rec := &s.Records[r.IntN(len(s.Records))]
			rec.Users = []model.UserRef{{UserID: datagen.User(r.IntN(200))}}
			rec.Groups = nil
			out = append(out, Change{Collection: model.Records, ID: rec.ID, Doc: copyOf(rec)})
		case 2: // change a group's members
			g := &s.Groups[r.IntN(len(s.Groups))]
			g.Users = append(g.Users[1:], model.UserRef{UserID: datagen.User(r.IntN(200))})
			out = append(out, Change{Collection: model.Groups, ID: g.ID, Doc: copyOf(g)})
		case 3: // new membership
			m := model.Membership{Meta: model.Meta{ID: fmt.Sprintf("new-m%d-%d", round, r.IntN(1000))},
				UserID: datagen.User(r.IntN(200)), Context: "accounts/x", Roles: []string{"role1"}}
			s.Memberships = append(s.Memberships, m)
			out = append(out, Change{Collection: model.Memberships, ID: m.ID, Doc: copyOf(&m)})
		case 4: // deactivate a role
			role := &s.Roles[r.IntN(len(s.Roles))]
			role.IsActive = new(bool)
			out = append(out, Change{Collection: model.Roles, ID: role.ID, Doc: copyOf(role)})
		case 5: // disable an installation
			in := &s.Installations[r.IntN(len(s.Installations))]
			in.Status = model.StatusDisabled
			out = append(out, Change{Collection: model.Installations, ID: in.ID, Doc: copyOf(in)})
		case 6: // give a record to a user, then to a group, in one set of changes
			rec := &s.Records[r.IntN(len(s.Records))]
			rec.Users, rec.Groups = []model.UserRef{{UserID: datagen.User(r.IntN(200))}}, nil
			out = append(out, Change{Collection: model.Records, ID: rec.ID, Doc: copyOf(rec)})
			rec.Users, rec.Groups = nil, []model.GroupRef{{GroupID: s.Groups[r.IntN(len(s.Groups))].ID}}
			out = append(out, Change{Collection: model.Records, ID: rec.ID, Doc: copyOf(rec)})
		case 7: // delete a membership
			i := r.IntN(len(s.Memberships))
			out = append(out, Change{Collection: model.Memberships, ID: s.Memberships[i].ID})
			s.Memberships = append(s.Memberships[:i], s.Memberships[i+1:]...)
		}
	}
	return out
}

func copyOf[T any, P interface {
	*T
	model.Document
}](d *T) model.Document {
	c := *d
	return P(&c)
}

func readIndex(t *testing.T, e *Engine) any {
	t.Helper()
	v, err := storage.ReadOne(t.Context(), e.store, storage.Path{"gatehouse", "index"})
	if err != nil {
		t.Fatal(err)
	}
	return roundTrip(t, v)
}

// roundTrip turns v (Go or AST values) into what JSON decoding gives.
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	if av, ok := v.(ast.Value); ok {
		var err error
		if v, err = ast.JSON(av); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSyncAppliesOnlyDifferences(t *testing.T) {
	snap := datagen.Snapshot(50, 4)
	e := New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	rev, changed, err := e.Sync(t.Context(), clone(t, snap), time.Now())
	if err != nil || changed || rev != 1 {
		t.Fatalf("sync of identical data: rev %d changed %v err %v", rev, changed, err)
	}
	next := clone(t, snap)
	next.Records = next.Records[1:]
	rev, changed, err = e.Sync(t.Context(), next, time.Now())
	if err != nil || !changed || rev != 2 {
		t.Fatalf("sync of a delete: rev %d changed %v err %v", rev, changed, err)
	}
	if diff := cmp.Diff(roundTrip(t, BuildIndex(next)), readIndex(t, e)); diff != "" {
		t.Fatalf("index after sync (-want +got):\n%s", diff)
	}
}

func clone(t *testing.T, s *model.Snapshot) *model.Snapshot {
	t.Helper()
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out model.Snapshot
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// A document that does not encode as JSON (a year after 9999) has no
// digest; its updates must still apply.
func TestApplyUpdatesDocumentsWithoutDigest(t *testing.T) {
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := model.Record{Meta: model.Meta{ID: "r", Version: 1}, Status: model.StatusActive, ExpiresAt: &far,
		Users:      []model.UserRef{{UserID: "alice"}},
		Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/A"}}}}}
	snap := &model.Snapshot{Roles: []model.Role{{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "read"}}}}, Records: []model.Record{rec}}
	e := New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	moved := rec
	moved.Version, moved.Users = 2, []model.UserRef{{UserID: "bob"}}
	rev, err := e.Apply(t.Context(), []Change{{Collection: model.Records, ID: "r", Doc: &moved}})
	if err != nil || rev != 2 {
		t.Fatalf("apply: revision %d, %v; want 2", rev, err)
	}
	d, err := e.Decide(t.Context(), Input{User: "alice", Resource: "accounts/A", Permission: "read"})
	if err != nil || d.Allowed {
		t.Fatalf("alice after the record moved to bob: %+v, %v", d, err)
	}
}

// recreated is record id written again, after its delete.
func recreated(id string) *model.Record {
	return &model.Record{Meta: model.Meta{ID: id, Version: 1, UpdatedAt: time.Now()}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "alice"}},
		Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/" + id}}}}}
}

// A sync whose snapshot was read before a delete was applied, or a poll
// that fetched the document before it, must not bring the deleted write
// back; a document created again after the delete does come back.
func TestDeletedWriteStaysDeleted(t *testing.T) {
	reader := model.Role{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "read"}}}
	old := recreated("old")
	old.UpdatedAt = time.Now().Add(-time.Minute)
	snap := &model.Snapshot{Roles: []model.Role{reader}, Records: []model.Record{*old}}
	e := New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	readStart := time.Now() // a resync begins reading: it sees the record
	if _, err := e.Apply(t.Context(), []Change{{Collection: model.Records, ID: "old"}}); err != nil {
		t.Fatal(err)
	}
	allowed := func() bool {
		d, err := e.Decide(t.Context(), Input{User: "alice", Resource: "accounts/old", Permission: "read"})
		if err != nil {
			t.Fatal(err)
		}
		return d.Allowed
	}
	if _, _, err := e.Sync(t.Context(), clone(t, snap), readStart); err != nil {
		t.Fatal(err)
	}
	if allowed() {
		t.Fatal("a sync read before the delete brought the deleted record back")
	}
	if _, err := e.Apply(t.Context(), []Change{{Collection: model.Records, ID: "old", Doc: copyOf(old)}}); err != nil {
		t.Fatal(err)
	}
	if allowed() {
		t.Fatal("a poll that fetched the record before its delete brought it back")
	}
	if _, err := e.Apply(t.Context(), []Change{{Collection: model.Records, ID: "old", Doc: recreated("old")}}); err != nil {
		t.Fatal(err)
	}
	if !allowed() {
		t.Fatal("the record created again after its delete is not loaded")
	}
}

// Each change in one Apply counts against the changes before it.
func TestApplyOrdersChangesToOneDocument(t *testing.T) {
	reader := model.Role{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "read"}}}
	rec := func(id string, version int64) *model.Record {
		return &model.Record{Meta: model.Meta{ID: id, Version: version}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "alice"}},
			Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/" + id}}}}}
	}
	cases := []struct {
		name    string
		changes []Change
		want    map[string]bool // resource → alice may read
	}{
		{"create then delete", []Change{{Collection: model.Records, ID: "new", Doc: rec("new", 1)}, {Collection: model.Records, ID: "new", Doc: nil}},
			map[string]bool{"accounts/new": false, "accounts/old": true}},
		{"delete then the deleted write again", []Change{{Collection: model.Records, ID: "old", Doc: nil}, {Collection: model.Records, ID: "old", Doc: rec("old", 1)}},
			map[string]bool{"accounts/old": false}},
		{"delete then a record created again", []Change{{Collection: model.Records, ID: "old", Doc: nil}, {Collection: model.Records, ID: "old", Doc: recreated("old")}},
			map[string]bool{"accounts/old": true}},
		{"put then delete then create again", []Change{{Collection: model.Records, ID: "new", Doc: rec("new", 1)}, {Collection: model.Records, ID: "new", Doc: nil}, {Collection: model.Records, ID: "new", Doc: recreated("new")}},
			map[string]bool{"accounts/new": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := New(nil)
			if _, err := e.Load(t.Context(), &model.Snapshot{Roles: []model.Role{reader}, Records: []model.Record{*rec("old", 1)}}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Apply(t.Context(), c.changes); err != nil {
				t.Fatal(err)
			}
			for resource, want := range c.want {
				d, err := e.Decide(t.Context(), Input{User: "alice", Resource: resource, Permission: "read"})
				if err != nil || d.Allowed != want {
					t.Errorf("%s: allowed=%v, %v; want %v", resource, d.Allowed, err, want)
				}
			}
			if got, want := e.Has(model.Records, "new"), c.want["accounts/new"]; got != want {
				t.Errorf("record new loaded: %v, want %v", got, want)
			}
		})
	}
}
