package properties

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// Escalation properties (SPEC section 5) over generated stores and
// on-behalf writes, through the API router over an in-memory store:
//
//   - after an accepted on-behalf write, a user allowed (permission,
//     resource) who was not before is one the actor held grant on; a user
//     newly holding grant or delegate on it is one the actor held delegate on;
//   - a refused write changes no decision;
//   - through an extension a user is never allowed what they are not
//     allowed alone;
//   - the decisions agree with a plain reading of the store (the oracle
//     below), so the properties are checked against what the store says.
//
// The case count is -escalation.cases or GATEHOUSE_PROPERTY_CASES; the seed
// -escalation.seed (0: from the clock). A failure prints the seed.
var (
	escalationCases = flag.Int("escalation.cases", 0, "on-behalf writes the escalation property test makes (default 2000, or GATEHOUSE_PROPERTY_CASES)")
	escalationSeed  = flag.Uint64("escalation.seed", 0, "seed of the escalation property test (0: from the clock)")
)

const (
	defaultEscalationCases = 2000
	escWritesPerStore      = 4
)

var (
	escUsers     = []string{"ann", "ben", "cat", "dov", "eve"}
	escGroups    = []string{"g1", "g2", "g3"}
	escRoles     = []string{"r1", "r2", "r3", "r4", "r5"}
	escGrantURIs = []string{"accounts", "accounts/A", "accounts/A/p1", "accounts/B", "accounts/*/p1", "accounts/A/*"}
	escContexts  = []string{"accounts", "accounts/A", "accounts/A/p1", "accounts/B"}
	escPatterns  = []string{"read:*", "read:projects", "write:projects", "*", "read:chats", "extensions:install", "*:projects"}
	escActions   = []string{"read:projects", "write:projects", "read:chats", "extensions:install"}
	escResources = []string{"accounts", "accounts/A", "accounts/A/p1", "accounts/A/p1/x", "accounts/A/p2", "accounts/B", "accounts/B/p1"}
	escConsent   = []string{"read:projects", "write:projects", "read:chats"}
)

func escalationCaseCount(t *testing.T) int {
	if *escalationCases > 0 {
		return *escalationCases
	}
	if v := os.Getenv("GATEHOUSE_PROPERTY_CASES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("GATEHOUSE_PROPERTY_CASES=%q: want a positive number", v)
		}
		return n
	}
	return defaultEscalationCases
}

func TestEscalationProperties(t *testing.T) {
	seed := *escalationSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	cases := escalationCaseCount(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := testkit.StartMem(t, &model.Snapshot{}, nil)
	ctx := t.Context()
	accepted, status := 0, map[int]int{}
	for n := 0; n < cases; {
		snap := escStore(rng)
		g.Store.Reset(snap)
		// Empty the engine first: a generated document is never taken for
		// an older write of one the previous store held.
		for _, s := range []*model.Snapshot{{}, g.Store.Snapshot()} {
			if _, _, err := g.Engine.Sync(ctx, s, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		before := escObserve(t, ctx, g.Engine)
		escCheckState(t, seed, n, g.Store.Snapshot(), before, "generated store")
		for w := 0; w < escWritesPerStore && n < cases; w, n = w+1, n+1 {
			state := g.Store.Snapshot()
			req := escWrite(rng, state)
			rev, writes := g.Engine.Revision(), g.Store.Written()
			code, raw := g.Do(req.method, req.path, req.body, api.UserHeader, req.actor)
			status[code]++
			if code >= 300 {
				// Refused: nothing was stored and the engine did not move,
				// so no decision changed.
				if g.Engine.Revision() != rev || g.Store.Written() != writes {
					escFail(t, seed, n, state, req, fmt.Sprintf("a refused write (%d %s) changed the store or the engine", code, raw))
				}
				continue
			}
			accepted++
			after := escObserve(t, ctx, g.Engine)
			where := fmt.Sprintf("after %s %s as %s (status %d: %s)", req.method, req.path, req.actor, code, raw)
			escCheckState(t, seed, n, g.Store.Snapshot(), after, where)
			escCheckWrite(t, seed, n, state, g.Store.Snapshot(), req, before, after)
			before = after
		}
	}
	t.Logf("seed %d: %d on-behalf writes, %d accepted; statuses %v", seed, cases, accepted, status)
	if accepted == 0 {
		t.Errorf("seed %d: no write was accepted; the generator tests nothing", seed)
	}
}

// escReq is one generated on-behalf write.
type escReq struct {
	actor, method, path string
	body                any
}

// escObs is every decision of the universe: users alone and through each
// installation.
type escObs struct {
	alone   map[escKey]bool
	through map[escKey]bool // key.inst set
}

type escKey struct{ user, inst, action, resource string }

func escObserve(t *testing.T, ctx context.Context, e *engine.Engine) escObs {
	t.Helper()
	o := escObs{alone: map[escKey]bool{}, through: map[escKey]bool{}}
	for _, u := range escUsers {
		for _, a := range escActions {
			for _, r := range escResources {
				for _, inst := range []string{"", "i1", "i2"} {
					d, err := e.Decide(ctx, engine.Input{User: u, Installation: inst, Resource: r, Permission: a})
					if err != nil {
						t.Fatal(err)
					}
					k := escKey{u, inst, a, r}
					if inst == "" {
						o.alone[k] = d.Allowed
					} else {
						o.through[k] = d.Allowed
					}
				}
			}
		}
	}
	return o
}

// escCheckState checks what holds in every state: decisions agree with
// the oracle, and an extension never widens what a user may do.
func escCheckState(t *testing.T, seed uint64, n int, snap *model.Snapshot, o escObs, when string) {
	t.Helper()
	or := newEscOracle(snap)
	for k, allowed := range o.alone {
		if want := or.holds(k.user, k.action, k.resource, "allow"); allowed != want {
			escFail(t, seed, n, snap, escReq{}, fmt.Sprintf("%s: %+v decided %v, the store says %v", when, k, allowed, want))
		}
	}
	for k, allowed := range o.through {
		if allowed && !o.alone[escKey{k.user, "", k.action, k.resource}] {
			escFail(t, seed, n, snap, escReq{}, fmt.Sprintf("%s: %+v allowed through the extension, not alone", when, k))
		}
	}
}

// escCheckWrite checks an accepted write against the actor's rights before it.
func escCheckWrite(t *testing.T, seed uint64, n int, before, after *model.Snapshot, req escReq, ob, oa escObs) {
	t.Helper()
	was, now := newEscOracle(before), newEscOracle(after)
	for k, allowed := range oa.alone {
		if allowed && !ob.alone[k] && !was.holds(req.actor, k.action, k.resource, "grant") {
			escFail(t, seed, n, before, req, fmt.Sprintf("%s is newly allowed %s on %s; %s did not hold grant on it", k.user, k.action, k.resource, req.actor))
		}
		for _, flag := range []string{"grant", "delegate"} {
			if now.holds(k.user, k.action, k.resource, flag) && !was.holds(k.user, k.action, k.resource, flag) &&
				!was.holds(req.actor, k.action, k.resource, "delegate") {
				escFail(t, seed, n, before, req, fmt.Sprintf("%s newly holds %s on %s at %s; %s did not hold delegate on it", k.user, flag, k.action, k.resource, req.actor))
			}
		}
	}
}

func escFail(t *testing.T, seed uint64, n int, snap *model.Snapshot, req escReq, msg string) {
	t.Helper()
	store, _ := json.Marshal(snap)
	body, _ := json.Marshal(req.body)
	t.Fatalf("escalation property broken (seed %d, write %d; rerun with -args -escalation.seed=%d -escalation.cases=%d): %s\nwrite: %s %s as %q: %s\nstore before: %s",
		seed, n, seed, n+1, msg, req.method, req.path, req.actor, body, store)
}

// escOracle reads the store plainly: a user holds a flag on (action,
// resource) when an active record or a membership gives them, or a group
// they belong to, an active role on a resource pattern covering it, with a
// permission that carries the flag and covers the action.
type escOracle struct {
	roles   map[string]model.Role
	members map[string][]string // group → users
	snap    *model.Snapshot
}

func newEscOracle(snap *model.Snapshot) *escOracle {
	o := &escOracle{roles: map[string]model.Role{}, members: map[string][]string{}, snap: snap}
	for _, r := range snap.Roles {
		o.roles[r.ID] = r
	}
	for _, g := range snap.Groups {
		for _, u := range g.Users {
			o.members[g.ID] = append(o.members[g.ID], u.UserID)
		}
	}
	return o
}

func (o *escOracle) holds(user, action, resource, flag string) bool {
	act, _ := model.ActionSegments(action)
	res, _ := model.URISegments(resource)
	for _, g := range o.grants(user) {
		role, ok := o.roles[g.Role]
		pat, err := model.URISegments(g.Resource)
		if !ok || !role.Active() || err != nil || !model.Covers(pat, res) {
			continue
		}
		for _, p := range role.Permissions {
			has := map[string]bool{"allow": p.Allows(), "grant": p.Grant, "delegate": p.Delegate}[flag]
			if segs, err := model.PatternSegments(p.Action); has && err == nil && model.Covers(segs, act) {
				return true
			}
		}
	}
	return false
}

func (o *escOracle) grants(user string) []engine.Given {
	var out []engine.Given
	for _, r := range o.snap.Records {
		if r.Status != model.StatusActive {
			continue
		}
		for _, st := range r.Statements {
			users, groups := st.Users, st.Groups
			if len(users)+len(groups) == 0 {
				users, groups = r.Users, r.Groups
			}
			in := slices.ContainsFunc(users, func(u model.UserRef) bool { return u.UserID == user }) ||
				slices.ContainsFunc(groups, func(g model.GroupRef) bool { return slices.Contains(o.members[g.GroupID], user) })
			for _, role := range st.Roles {
				for _, res := range st.Resources {
					if in {
						out = append(out, engine.Given{Role: role, Resource: res.ResourceURI})
					}
				}
			}
		}
	}
	for _, m := range o.snap.Memberships {
		if m.UserID == user {
			out = append(out, engine.MembershipGives(&m)...)
		}
	}
	return out
}

// Generators.

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func some[T any](rng *rand.Rand, xs []T, most int) []T {
	n := 1 + rng.IntN(most)
	out := make([]T, n)
	for i := range out {
		out[i] = pick(rng, xs)
	}
	return out
}

func chance(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

func escStore(rng *rand.Rand) *model.Snapshot {
	now := time.Now().UTC()
	meta := func(id string) model.Meta { return model.Meta{ID: id, Version: 1, UpdatedAt: now} }
	s := &model.Snapshot{
		Extensions: []model.Extension{{Meta: meta("e1"), Name: "E1", Permissions: []string{"read:*", "write:projects"}}},
	}
	for _, id := range escRoles {
		r := model.Role{Meta: meta(id), Name: id}
		for range 1 + rng.IntN(2) {
			p := model.Permission{Action: pick(rng, escPatterns), Grant: chance(rng, 0.45), Delegate: chance(rng, 0.2)}
			if chance(rng, 0.1) {
				p.Allow = new(bool)
			}
			r.Permissions = append(r.Permissions, p)
		}
		if chance(rng, 0.1) {
			r.IsActive = new(bool)
		}
		s.Roles = append(s.Roles, r)
	}
	for i := range 2 + rng.IntN(4) {
		r := escRecord(rng, fmt.Sprintf("rec%d", i))
		r.Meta = meta(r.ID)
		s.Records = append(s.Records, r)
	}
	for i := range rng.IntN(3) {
		m := escMembership(rng, fmt.Sprintf("m%d", i))
		m.Meta = meta(m.ID)
		s.Memberships = append(s.Memberships, m)
	}
	for _, id := range escGroups[:2] {
		s.Groups = append(s.Groups, model.Group{Meta: meta(id), Name: id, Users: escUserRefs(rng, 3)})
	}
	for _, id := range []string{"i1", "i2"} {
		in := escInstallation(rng, pick(rng, escUsers))
		in.Meta = meta(id)
		s.Installations = append(s.Installations, in)
	}
	return s
}

func escUserRefs(rng *rand.Rand, most int) []model.UserRef {
	out := []model.UserRef{}
	for _, u := range escUsers {
		if len(out) < most && chance(rng, 0.35) {
			out = append(out, model.UserRef{UserID: u})
		}
	}
	return out
}

func escRecord(rng *rand.Rand, id string) model.Record {
	r := model.Record{Meta: model.Meta{ID: id}, Status: model.StatusActive}
	if chance(rng, 0.1) {
		r.Status = model.StatusDeleted
	}
	principals := func() ([]model.UserRef, []model.GroupRef) {
		if chance(rng, 0.5) {
			return []model.UserRef{{UserID: pick(rng, escUsers)}}, nil
		}
		return nil, []model.GroupRef{{GroupID: pick(rng, escGroups)}}
	}
	onRecord := chance(rng, 0.6)
	if onRecord {
		r.Users, r.Groups = principals()
	}
	for range 1 + rng.IntN(2) {
		st := model.Statement{Roles: some(rng, escRoles, 2)}
		for _, uri := range some(rng, escGrantURIs, 2) {
			st.Resources = append(st.Resources, model.ResourceRef{ResourceURI: uri})
		}
		if !onRecord {
			st.Users, st.Groups = principals()
		}
		r.Statements = append(r.Statements, st)
	}
	return r
}

func escMembership(rng *rand.Rand, id string) model.Membership {
	return model.Membership{Meta: model.Meta{ID: id}, UserID: pick(rng, escUsers), Context: pick(rng, escContexts), Roles: some(rng, escRoles, 2)}
}

func escInstallation(rng *rand.Rand, by string) model.Installation {
	in := model.Installation{ExtensionID: "e1", Context: pick(rng, escContexts[1:]), InstalledBy: by, Status: model.StatusActive}
	in.ConsentedPermissions = some(rng, escConsent, 2)
	if chance(rng, 0.15) {
		in.Status = model.StatusDisabled
	}
	return in
}

// escWrite generates an on-behalf write: a create, replace or delete of a
// record, membership, group or installation, now and then of a role.
func escWrite(rng *rand.Rand, s *model.Snapshot) escReq {
	// Mostly an actor who may give something, so that writes are accepted.
	o := newEscOracle(s)
	var givers []string
	for _, u := range escUsers {
		if len(o.grantable(u)) > 0 {
			givers = append(givers, u)
		}
	}
	req := escReq{actor: pick(rng, escUsers), method: http.MethodPut}
	if len(givers) > 0 && chance(rng, 0.7) {
		req.actor = pick(rng, givers)
	}
	grantable := o.grantable(req.actor)
	existing := func(docs []model.Document, fresh string) string {
		if len(docs) > 0 && chance(rng, 0.7) {
			return pick(rng, docs).DocMeta().ID
		}
		return fresh
	}
	collection := pick(rng, []string{model.Records, model.Records, model.Memberships, model.Groups, model.Installations, model.Roles})
	id := existing(s.Docs(collection), "new")
	if collection == model.Groups {
		id = pick(rng, escGroups)
	}
	req.path = "/v1/" + collection + "/" + id
	switch {
	case chance(rng, 0.2):
		req.method = http.MethodDelete
		return req
	case collection == model.Records:
		r := escRecord(rng, "")
		r.Meta = model.Meta{}
		if len(grantable) > 0 && chance(rng, 0.6) {
			for i := range r.Statements {
				g := pick(rng, grantable)
				r.Statements[i].Roles = []string{g.Role}
				r.Statements[i].Resources = []model.ResourceRef{{ResourceURI: g.Resource}}
			}
		}
		req.body = r
	case collection == model.Memberships:
		m := escMembership(rng, "")
		if chance(rng, 0.5) {
			m.UserID = req.actor
		}
		if len(grantable) > 0 && chance(rng, 0.6) {
			g := pick(rng, grantable)
			m.Roles, m.Context = []string{g.Role}, g.Resource
		}
		req.body = m
	case collection == model.Groups:
		req.body = model.Group{Name: id, Users: escUserRefs(rng, 4)}
	case collection == model.Installations:
		req.body = escInstallation(rng, req.actor)
	default:
		req.body = model.Role{Name: id, Permissions: []model.Permission{{Action: "*", Grant: true, Delegate: true}}}
	}
	if id == "new" && chance(rng, 0.5) {
		req.method, req.path = http.MethodPost, "/v1/"+collection
	}
	return req
}

// grantable lists the (role, resource) pairs actor may give by the oracle,
// so that generated writes are accepted often enough to test something.
func (o *escOracle) grantable(actor string) []engine.Given {
	var out []engine.Given
	for _, id := range escRoles {
		role, ok := o.roles[id]
		if !ok || !role.Active() || !role.GrantsToUsers() {
			continue
		}
		for _, uri := range escContexts {
			all := true
			for _, p := range role.Permissions {
				all = all && o.holds(actor, p.Action, uri, "grant") &&
					(!p.Grant && !p.Delegate || o.holds(actor, p.Action, uri, "delegate"))
			}
			if all {
				out = append(out, engine.Given{Role: id, Resource: uri})
			}
		}
	}
	return out
}
