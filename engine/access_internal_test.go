package engine

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

var (
	whoHasUsers   = flag.Int("whohas.users", 100, "users in the data sets of TestWhoHasAccessEqualsRego and TestWhoHasAccessFollowsChanges")
	whoHasQueries = flag.Int("whohas.queries", 40, "generated decisions whose resource and permission (and variants) the who-has-access tests ask about")
	whoHasRounds  = flag.Int("whohas.rounds", 3, "rounds of changes in TestWhoHasAccessFollowsChanges")
)

// regoUsers evaluates data.gatehouse.lookup.users at now, as the reference.
func regoUsers(t *testing.T, e *Engine, q index.WhoQuery, now int64) []UserAccess {
	t.Helper()
	g := e.gen.Load()
	pq, _ := g.policies.Prepared(UsersQuery)
	in := accessInput(WhoQuery{Resource: q.Resource, Permission: q.Permission, Grant: q.Grant})
	rs, err := pq.Eval(t.Context(), rego.EvalParsedInput(in), rego.EvalTime(time.Unix(0, now)), rego.EvalTransaction(e.store.Begin(g.view)))
	if err != nil || len(rs) != 1 {
		t.Fatalf("rego %+v: %v (%d results)", q, err, len(rs))
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	out := []UserAccess{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	for i := range out {
		out[i].Via = index.SortPaths(out[i].Via) // a set in Rego
	}
	return out
}

// whoHasSameAsRego compares every query's native answer with the Rego
// one, and the native pages with the whole answer; it returns how many
// users the answers held and how many paths came through a group.
func whoHasSameAsRego(t *testing.T, e *Engine, queries []index.WhoQuery, now int64) (users, viaGroups int) {
	t.Helper()
	v := e.gen.Load().view
	for i, q := range queries {
		want := regoUsers(t, e, q, now)
		got, more := v.WhoHasAccess(q, "", 0, now)
		if diff := cmp.Diff(want, got); diff != "" || more {
			t.Fatalf("%+v at %d: native differs from Rego (-rego +native), more %v:\n%s", q, now, more, diff)
		}
		if limit := 1 + i%4; len(got) > limit {
			walkPages(t, v, q, now, limit, got)
		}
		users += len(got)
		for _, u := range got {
			viaGroups += countFunc(u.Via, func(p AccessPath) bool { return p.Group != "" })
		}
	}
	return users, viaGroups
}

// walkPages pages through the answer limit users at a time and checks
// the pages add up to all.
func walkPages(t *testing.T, v *index.View, q index.WhoQuery, now int64, limit int, all []UserAccess) {
	t.Helper()
	var walked []UserAccess
	after := ""
	for range len(all) + 1 {
		page, more := v.WhoHasAccess(q, after, limit, now)
		walked = append(walked, page...)
		if !more {
			break
		}
		if len(page) != limit {
			t.Fatalf("%+v: a page of %d users with more to come, limit %d", q, len(page), limit)
		}
		after = page[len(page)-1].User
	}
	if diff := cmp.Diff(all, walked); diff != "" {
		t.Fatalf("%+v: pages of %d differ from the whole answer (-all +pages):\n%s", q, limit, diff)
	}
}

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, x := range s {
		if f(x) {
			n++
		}
	}
	return n
}

// whoQueries are the resources and permissions of generated decisions,
// their ancestors, a URI a "*" pattern reaches, "*" as the permission,
// and the edge variants of edgeInputs, asked both ways.
func whoQueries(users int, seed uint64, n int) []index.WhoQuery {
	base := generated(users, seed)
	var out []index.WhoQuery
	add := func(in Input, i int) {
		out = append(out, index.WhoQuery{Resource: in.Resource, Permission: in.Permission, Grant: i%3 == 0})
	}
	for i, in := range base[:n] {
		add(in, i)
		switch segs := strings.Split(in.Resource, "/"); i % 4 {
		case 0:
			in.Resource = strings.Join(segs[:min(2, len(segs))], "/")
		case 1:
			in.Resource = strings.Join(segs[:min(2, len(segs))], "/") + "/x/" + fmt.Sprint(i%20)
		case 2:
			in.Permission = "*"
		case 3:
			in.Permission = strings.SplitN(in.Permission, ":", 2)[0]
		}
		add(in, i+1)
	}
	for i, in := range edgeInputs(base)[:n/4] {
		add(in, i)
	}
	return out
}

func TestWhoHasAccessEqualsRego(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			e := New(nil)
			snap := datagen.Snapshot(*whoHasUsers, seed)
			snap.Roles = append(snap.Roles, flagRoles()...)
			if _, err := e.Load(t.Context(), snap); err != nil {
				t.Fatal(err)
			}
			queries := whoQueries(*whoHasUsers, seed, *whoHasQueries)
			users, viaGroups := whoHasSameAsRego(t, e, queries, time.Now().UnixNano())
			if users == 0 || viaGroups == 0 {
				t.Fatalf("%d queries found %d users, %d paths through groups: the comparison needs both", len(queries), users, viaGroups)
			}
			for _, now := range expiryNows(e.gen.Load().view, 6) {
				whoHasSameAsRego(t, e, queries[:len(queries)/4], now)
			}
		})
	}
}

// TestWhoHasAccessFollowsChanges applies random changes and compares
// again: the reverse index must follow every record, membership, group
// and role written or deleted.
func TestWhoHasAccessFollowsChanges(t *testing.T) {
	t.Parallel()
	n := *whoHasUsers
	e := New(nil)
	snap := datagen.Snapshot(n, 3)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 5))
	queries := whoQueries(n, 3, *whoHasQueries)
	for round := range *whoHasRounds {
		var changes []Change
		for range 30 {
			changes = append(changes, accessChange(r, snap, n))
		}
		if _, err := e.Apply(t.Context(), changes); err != nil {
			t.Fatal(err)
		}
		if users, _ := whoHasSameAsRego(t, e, queries, time.Now().UnixNano()); users == 0 {
			t.Fatalf("round %d: no query found a user", round)
		}
	}
}

// accessChange is a randomChange or one that moves users between
// grants: a new record for users or a group (sometimes on a pattern), a
// new membership, a group emptied, refilled or deleted, a role given
// grant and delegate flags.
func accessChange(r *rand.Rand, snap *model.Snapshot, users int) Change {
	now := time.Now()
	meta := func(id string) model.Meta { return model.Meta{ID: id, Version: 1, UpdatedAt: now} }
	u := r.IntN(users)
	switch r.IntN(8) {
	case 0:
		uri := datagen.Account(u)
		if r.IntN(2) == 0 {
			uri += "/*/" + fmt.Sprint(r.IntN(20))
		}
		rec := model.Record{Meta: meta(fmt.Sprintf("new-rec%d", r.IntN(50))), Status: model.StatusActive,
			Statements: []model.Statement{{Roles: []string{fmt.Sprintf("role%d", r.IntN(40))}, Resources: []model.ResourceRef{{ResourceURI: uri}}}}}
		if r.IntN(2) == 0 {
			rec.Groups = []model.GroupRef{{GroupID: snap.Groups[r.IntN(len(snap.Groups))].ID}}
		} else {
			rec.Users = []model.UserRef{{UserID: datagen.User(u)}, {UserID: datagen.User(r.IntN(users))}}
		}
		return Change{Collection: model.Records, ID: rec.ID, Doc: &rec}
	case 1:
		m := model.Membership{Meta: meta(fmt.Sprintf("new-m%d", r.IntN(50))), UserID: datagen.User(u),
			Context: datagen.Account(u), Roles: []string{fmt.Sprintf("role%d", r.IntN(40))}}
		return Change{Collection: model.Memberships, ID: m.ID, Doc: &m}
	case 2:
		g := snap.Groups[r.IntN(len(snap.Groups))]
		if r.IntN(3) == 0 {
			return Change{Collection: model.Groups, ID: g.ID}
		}
		g.Meta = meta(g.ID)
		g.Users = []model.UserRef{{UserID: datagen.User(u)}}
		return Change{Collection: model.Groups, ID: g.ID, Doc: &g}
	case 3:
		role := flagRoles()[r.IntN(2)]
		role.ID = fmt.Sprintf("role%d", r.IntN(40))
		role.Meta = meta(role.ID)
		return Change{Collection: model.Roles, ID: role.ID, Doc: &role}
	}
	return randomChange(r, snap)
}

// flagRoles carry grant and delegate, with and without allow.
func flagRoles() []model.Role {
	no := false
	return []model.Role{
		{Meta: model.Meta{ID: "granter"}, Permissions: []model.Permission{{Action: "read:*", Allow: &no, Grant: true}, {Action: "*:files", Grant: true, Delegate: true}}},
		{Meta: model.Meta{ID: "delegator"}, Permissions: []model.Permission{{Action: "*", Delegate: true}, {Action: "write:chats", Grant: true}}},
	}
}

// Engine.WhoHasAccess lists every problem and pages natively as the Rego
// definition does.
func TestEngineWhoHasAccess(t *testing.T) {
	e := New(nil)
	if _, err := e.WhoHasAccess(t.Context(), WhoQuery{Resource: "a", Permission: "read"}); !errors.Is(err, ErrNotReady) {
		t.Fatalf("before Load: %v, want ErrNotReady", err)
	}
	if _, err := e.Load(t.Context(), datagen.Snapshot(100, 4)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    WhoQuery
		want []string
	}{
		{WhoQuery{}, []string{"permission", "resource"}},
		{WhoQuery{Resource: "a//b", Permission: "read::x", Limit: -1}, []string{"limit", "permission", "resource"}},
		{WhoQuery{Resource: strings.Repeat("a/", 40), Permission: "read\x00"}, []string{"permission", "resource"}},
	} {
		_, err := e.WhoHasAccess(t.Context(), tc.q)
		var bad *InvalidInputError
		if !errors.As(err, &bad) {
			t.Fatalf("%+v: %v, want an InvalidInputError", tc.q, err)
		}
		var fields []string
		for _, p := range bad.Problems {
			fields = append(fields, p.Field)
		}
		slices.Sort(fields)
		if !slices.Equal(fields, tc.want) {
			t.Errorf("%+v: problems %v, want %v", tc.q, fields, tc.want)
		}
	}
	rg := NewWithOptions(nil, Options{RegoDecisions: true})
	if _, err := rg.Load(t.Context(), datagen.Snapshot(100, 4)); err != nil {
		t.Fatal(err)
	}
	var q WhoQuery
	for _, w := range whoQueries(100, 4, 100) {
		if users, _ := e.gen.Load().view.WhoHasAccess(w, "", 0, time.Now().UnixNano()); len(users) >= 5 {
			q = WhoQuery{Resource: w.Resource, Permission: w.Permission, Grant: w.Grant, Limit: 2}
			break
		}
	}
	for pages := 1; pages <= 20; pages++ {
		native, err := e.WhoHasAccess(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		byRego, err := rg.WhoHasAccess(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(byRego, native); diff != "" {
			t.Fatalf("%+v: (-rego +native):\n%s", q, diff)
		}
		if native.Next == "" {
			if pages < 2 {
				t.Fatalf("%+v: one page: the test needs more users", q)
			}
			return
		}
		q.After = native.Next
	}
	t.Fatal("20 pages of 2 users and no end: the test needs a smaller answer")
}
