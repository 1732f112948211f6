package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

// scanReverse builds the reverse index by scanning every principal, the
// plain way, to compare the maintained one with.
func scanReverse(v *View) map[string]map[string][]string {
	out := map[string]map[string][]string{"users": {}, "groups": {}, "members": {}}
	add := func(list, key, id string) {
		if !slices.Contains(out[list][key], id) {
			out[list][key] = append(out[list][key], id)
		}
	}
	v.users.each(func(id string, p *principal) {
		for _, t := range p.grants {
			add("users", t.key(), id)
		}
		for _, g := range p.groups {
			add("members", g, id)
		}
	})
	v.groups.each(func(id string, p *principal) {
		for _, t := range p.grants {
			add("groups", t.key(), id)
		}
	})
	for _, lists := range out {
		for _, ids := range lists {
			slices.Sort(ids)
		}
	}
	return out
}

func reverseLists(r *reverseIndex) map[string]map[string][]string {
	out := map[string]map[string][]string{"users": {}, "groups": {}, "members": {}}
	for name, s := range map[string]*shards[[]string]{"users": &r.users, "groups": &r.groups, "members": &r.members} {
		s.each(func(k string, ids []string) { out[name][k] = ids })
	}
	return out
}

// The reverse index holds exactly what a scan of the principals finds,
// after Build and after every Apply of random changes, and an Apply
// leaves the view before it unchanged.
func TestReverseIndexMatchesScan(t *testing.T) {
	snap := datagen.Snapshot(120, 9)
	ix, v := Build(snap, 1)
	r := rand.New(rand.NewPCG(9, 9))
	for round := range 6 {
		if diff := cmp.Diff(scanReverse(v), reverseLists(&v.reverse)); diff != "" {
			t.Fatalf("round %d: reverse index (-scan +kept):\n%s", round, diff)
		}
		before := reverseLists(&v.reverse)
		var changes []Change
		for range 40 {
			changes = append(changes, reverseChange(r, snap))
		}
		next, _ := ix.Apply(v, changes)
		if next == nil {
			t.Fatalf("round %d: no change applied", round)
		}
		if diff := cmp.Diff(before, reverseLists(&v.reverse)); diff != "" {
			t.Fatalf("round %d: Apply changed the published view (-before +after):\n%s", round, diff)
		}
		v = next
	}
}

// reverseChange writes or deletes a record, membership or group.
func reverseChange(r *rand.Rand, snap *model.Snapshot) Change {
	meta := model.Meta{Version: int64(2 + r.IntN(1000)), UpdatedAt: time.Now()}
	switch r.IntN(5) {
	case 0:
		rec := snap.Records[r.IntN(len(snap.Records))]
		return Change{Collection: model.Records, ID: rec.ID}
	case 1:
		rec := snap.Records[r.IntN(len(snap.Records))]
		meta.ID = rec.ID
		rec.Meta, rec.Status = meta, model.StatusActive
		rec.Statements = []model.Statement{{Roles: []string{"role1"}, Resources: []model.ResourceRef{{ResourceURI: fmt.Sprintf("accounts/a%d/*/x", r.IntN(12))}}}}
		rec.Users, rec.Groups = []model.UserRef{{UserID: datagen.User(r.IntN(120))}}, []model.GroupRef{{GroupID: fmt.Sprintf("g%d", r.IntN(6))}}
		return Change{Collection: model.Records, ID: rec.ID, Doc: &rec}
	case 2:
		m := snap.Memberships[r.IntN(len(snap.Memberships))]
		if r.IntN(2) == 0 {
			return Change{Collection: model.Memberships, ID: m.ID}
		}
		meta.ID = m.ID
		m.Meta, m.Context = meta, datagen.Account(r.IntN(120))
		return Change{Collection: model.Memberships, ID: m.ID, Doc: &m}
	case 3:
		g := snap.Groups[r.IntN(len(snap.Groups))]
		return Change{Collection: model.Groups, ID: g.ID}
	}
	g := snap.Groups[r.IntN(len(snap.Groups))]
	meta.ID = g.ID
	g.Meta, g.Users = meta, []model.UserRef{{UserID: datagen.User(r.IntN(120))}, {UserID: datagen.User(r.IntN(120))}}
	return Change{Collection: model.Groups, ID: g.ID, Doc: &g}
}
