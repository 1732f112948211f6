package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

// explainCase is one generated input with its decision and explanation,
// both over the same view at the same time.
type explainCase struct {
	in  Input
	now int64
	d   Decision
	x   Explanation
}

// explained decides and explains every input at every now.
func explained(v *index.View, inputs []Input, nows []int64) []explainCase {
	var out []explainCase
	for _, now := range nows {
		for _, in := range inputs {
			out = append(out, explainCase{in: in, now: now, d: v.Decide(in, now), x: v.Explain(in, now)})
		}
	}
	return out
}

// TestExplainProperties holds, over generated and edge inputs at now and
// around expiries: an allow has a path and no near miss, a deny has no
// path; an allow's paths give exactly the decision's reasons; every path
// is a live grant of an active role whose patterns cover the request;
// near misses are capped, never name a chain that would allow, and fail
// the check they name; the same input gives the same explanation.
func TestExplainProperties(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			e := New(nil)
			if _, err := e.Load(t.Context(), datagen.Snapshot(300, seed)); err != nil {
				t.Fatal(err)
			}
			v := e.gen.Load().view
			inputs := generated(300, seed)
			inputs = append(inputs, edgeInputs(inputs)...)
			for _, in := range inputs[:300] {
				if in.Installation != "" { // out of every installation's scope
					in.Resource = "nowhere/1"
					inputs = append(inputs, in)
				}
			}
			cases := explained(v, inputs, []int64{time.Now().UnixNano()})
			cases = append(cases, explained(v, inputs[:150], expiryNows(v, 9))...)
			seen := map[string]int{}
			for _, c := range cases {
				checkExplanation(t, v, c, seen)
			}
			for _, want := range []string{"allowed", "denied", "user path", "app path", "installation path", index.MissAction, index.MissResource, index.MissExpired,
				index.MissRoleInactive, index.MissUser, index.MissStatus, index.MissScope, index.MissConsent} {
				if seen[want] == 0 {
					t.Errorf("no case gave %q (seen %v): the properties need every outcome", want, seen)
				}
			}
		})
	}
}

func checkExplanation(t *testing.T, v *index.View, c explainCase, seen map[string]int) {
	t.Helper()
	if c.d.Allowed != (len(c.x.Paths) > 0) {
		t.Fatalf("%+v: allowed %v with %d paths", c.in, c.d.Allowed, len(c.x.Paths))
	}
	if c.d.Allowed && len(c.x.NearMisses) > 0 {
		t.Fatalf("%+v: allowed with near misses %+v", c.in, c.x.NearMisses)
	}
	if len(c.x.NearMisses) > index.MaxNearMisses {
		t.Fatalf("%+v: %d near misses, more than %d", c.in, len(c.x.NearMisses), index.MaxNearMisses)
	}
	if c.d.Allowed {
		seen["allowed"]++
		if diff := cmp.Diff(c.d.Reasons, pathReasons(c.x), cmpopts.SortSlices(lessReason)); diff != "" {
			t.Fatalf("%+v: paths do not give the decision's reasons (-decision +paths):\n%s", c.in, diff)
		}
	} else {
		seen["denied"]++
	}
	for _, p := range c.x.Paths {
		checkPath(t, v, c, p)
		seen[p.Principal+" path"]++
	}
	for _, m := range c.x.NearMisses {
		seen[m.Reason]++
		checkNearMiss(t, v, c, m)
	}
	if again := v.Explain(c.in, c.now); !cmp.Equal(c.x, again) {
		t.Fatalf("%+v: a second explanation differs:\n%s", c.in, cmp.Diff(c.x, again))
	}
}

// pathReasons are the reasons an explanation's paths give: each path's
// grant, and through an installation its scope resources covering.
func pathReasons(x Explanation) []Reason {
	var out []Reason
	for _, p := range x.Paths {
		out = append(out, Reason{Kind: p.Kind, ID: p.ID, Role: p.Role, Resource: p.Resource})
	}
	if x.Extension != nil && x.Paths[0].Kind != "installation" {
		for _, r := range x.Extension.Scope {
			if r.Covers {
				out = append(out, Reason{Kind: "installation", ID: x.Extension.Installation, Resource: r.Resource})
			}
		}
	}
	slices.SortFunc(out, func(a, b Reason) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return slices.Compact(out)
}

func lessReason(a, b Reason) bool { return fmt.Sprint(a) < fmt.Sprint(b) }

// checkPath: the grant is live, its role exists and is active, the role's
// pattern implies the permission and the grant's pattern covers the
// resource (for an installation, the scope resource and the consent).
func checkPath(t *testing.T, v *index.View, c explainCase, p ExplainPath) {
	t.Helper()
	if p.Kind != "installation" {
		if _, active := v.RoleState(p.Role); !active {
			t.Fatalf("%+v: path %+v through an inactive or missing role", c.in, p)
		}
		if p.Expires != "" && !time.Unix(0, c.now).Before(mustTime(t, p.Expires)) {
			t.Fatalf("%+v at %d: path %+v through an expired grant", c.in, c.now, p)
		}
	}
	if !patternCovers(t, p.Permission, c.in.Permission) || !resourceCovers(t, p.Resource, c.in.Resource) {
		t.Fatalf("%+v: path %+v does not cover the request", c.in, p)
	}
}

// checkNearMiss: a near miss on a grant names no chain that allows on its
// own, and fails the check it names: allowed earlier when expired, on its
// own resource, for its own permission; the installation's name the check
// that denied.
func checkNearMiss(t *testing.T, v *index.View, c explainCase, m NearMiss) {
	t.Helper()
	alone := c.in
	alone.Installation = ""
	reason := Reason{Kind: m.Kind, ID: m.ID, Role: m.Role, Resource: m.Resource}
	holds := func(in Input, now int64) bool { return slices.Contains(v.Decide(in, now).Reasons, reason) }
	switch m.Reason {
	case index.MissStatus, index.MissScope, index.MissConsent:
		if c.d.DeniedBy == nil || !slices.Contains([]string{index.MissStatus, index.MissScope, index.MissConsent}, *c.d.DeniedBy) {
			t.Fatalf("%+v: %+v but the decision is %+v", c.in, m, c.d)
		}
		return
	case index.MissUser:
		if c.d.DeniedBy == nil || *c.d.DeniedBy != "user" || !coversAll(c.x.Extension.Covers) {
			t.Fatalf("%+v: %+v but the decision is %+v, the extension %+v", c.in, m, c.d, c.x.Extension)
		}
		return
	}
	if holds(alone, c.now) {
		t.Fatalf("%+v: near miss %+v names a chain that allows", c.in, m)
	}
	var fixed bool
	switch m.Reason {
	case index.MissExpired:
		fixed = holds(alone, mustTime(t, m.Expires).UnixNano()-1)
	case index.MissResource:
		alone.Resource = concrete(m.Resource, "/")
		fixed = holds(alone, c.now)
	case index.MissAction:
		alone.Permission = concrete(m.Permission, ":")
		fixed = m.Permission == "" || holds(alone, c.now)
	case index.MissRoleInactive, index.MissRoleMissing:
		exists, active := v.RoleState(m.Role)
		fixed = exists == (m.Reason == index.MissRoleInactive) && !active
	default:
		t.Fatalf("%+v: unknown near miss %+v", c.in, m)
	}
	if !fixed {
		t.Fatalf("%+v: near miss %+v does not fail the check it names", c.in, m)
	}
}

// concrete replaces a pattern's "*" segments with "x" and drops a
// trailing one, giving a request the pattern covers.
func concrete(pattern, sep string) string {
	segs := strings.Split(pattern, sep)
	if sep == ":" && segs[len(segs)-1] == "*" {
		segs = segs[:len(segs)-1]
	}
	for i, s := range segs {
		if s == "*" {
			segs[i] = "x"
		}
	}
	if len(segs) == 0 {
		return "x"
	}
	return strings.Join(segs, sep)
}

func patternCovers(t *testing.T, pattern, action string) bool {
	t.Helper()
	p, err1 := model.PatternSegments(pattern)
	a, err2 := model.ActionSegments(action)
	return err1 == nil && err2 == nil && model.Covers(p, a)
}

func resourceCovers(t *testing.T, pattern, uri string) bool {
	t.Helper()
	p, err1 := model.URISegments(pattern)
	u, err2 := model.URISegments(uri)
	return err1 == nil && err2 == nil && model.Covers(p, u)
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func coversAll(c index.Coverage) bool { return c.Status && c.Scope && c.Consent && c.Requested }

// explainSnapshot: alice reads chats on accounts/A (r1), reads anything
// under accounts/B/* through g1 (r2), held read:* on accounts/A until it
// expired (r3) and through an inactive role (r4); bob views accounts/A
// (m1); carol views seven accounts; i1 (ACTIVE, consented chats:read) and
// i2 (DISABLED) are installed in accounts/A.
func explainSnapshot() *model.Snapshot {
	no, past := false, time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	rec := func(id, user, group, role, uri string) model.Record {
		r := model.Record{Meta: model.Meta{ID: id}, Status: model.StatusActive,
			Statements: []model.Statement{{Roles: []string{role}, Resources: []model.ResourceRef{{ResourceURI: uri}}}}}
		if user != "" {
			r.Users = []model.UserRef{{UserID: user}}
		}
		if group != "" {
			r.Groups = []model.GroupRef{{GroupID: group}}
		}
		return r
	}
	snap := &model.Snapshot{
		Roles: []model.Role{
			{Meta: model.Meta{ID: "chat-reader"}, Permissions: []model.Permission{{Action: "docs:list"}, {Action: "chats:read"}}},
			{Meta: model.Meta{ID: "viewer"}, Permissions: []model.Permission{{Action: "read:*"}}},
			{Meta: model.Meta{ID: "old"}, IsActive: &no, Permissions: []model.Permission{{Action: "read"}}},
		},
		Groups:      []model.Group{{Meta: model.Meta{ID: "g1"}, Users: []model.UserRef{{UserID: "alice"}}}},
		Memberships: []model.Membership{{Meta: model.Meta{ID: "m1"}, UserID: "bob", Context: "accounts/A", Roles: []string{"viewer"}}},
		Extensions:  []model.Extension{{Meta: model.Meta{ID: "ext"}, Permissions: []string{"read:*", "chats:*"}}},
		Installations: []model.Installation{
			{Meta: model.Meta{ID: "i1"}, ExtensionID: "ext", Context: "accounts/A", Status: model.StatusActive, ConsentedPermissions: []string{"chats:read"}},
			{Meta: model.Meta{ID: "i2"}, ExtensionID: "ext", Context: "accounts/A", Status: model.StatusDisabled, ConsentedPermissions: []string{"chats:read"}},
		},
	}
	expired := rec("r3", "alice", "", "viewer", "accounts/A")
	expired.ExpiresAt = &past
	snap.Records = append(snap.Records, rec("r1", "alice", "", "chat-reader", "accounts/A"), rec("r2", "", "g1", "viewer", "accounts/B/*"),
		expired, rec("r4", "alice", "", "old", "accounts/A"))
	for i := 7; i >= 1; i-- {
		snap.Records = append(snap.Records, rec(fmt.Sprintf("rc%d", i), "carol", "", "viewer", fmt.Sprintf("accounts/C%d", i)))
	}
	return snap
}

func TestExplainCases(t *testing.T) {
	e := New(nil)
	if _, err := e.Load(t.Context(), explainSnapshot()); err != nil {
		t.Fatal(err)
	}
	alice := ExplainPath{Principal: "user", User: "alice"}
	r1 := with(alice, ExplainPath{Kind: "record", ID: "r1", Role: "chat-reader", Permission: "chats:read", Resource: "accounts/A"})
	r2 := with(alice, ExplainPath{Group: "g1", Kind: "record", ID: "r2", Role: "viewer", Permission: "read:*", Resource: "accounts/B/*"})
	r3 := with(alice, ExplainPath{Kind: "record", ID: "r3", Role: "viewer", Permission: "read:*", Resource: "accounts/A", Expires: "2020-01-02T03:04:05Z"})
	r4 := with(alice, ExplainPath{Kind: "record", ID: "r4", Role: "old", Permission: "read", Resource: "accounts/A"})
	m1 := ExplainPath{Principal: "user", User: "bob", Kind: "membership", ID: "m1", Role: "viewer", Permission: "read:*", Resource: "accounts/A"}
	i1 := func(scope, consent, requested bool, user *bool) *ExtensionSide {
		return &ExtensionSide{Installation: "i1", Extension: "ext", Status: "ACTIVE",
			Scope:     []index.SideResource{{Resource: "accounts/A", Covers: scope}},
			Consented: []index.SidePermission{{Permission: "chats:read:*", Covers: consent}},
			Requested: []index.SidePermission{{Permission: "read:*", Covers: !consent && requested}, {Permission: "chats:*", Covers: consent}},
			Covers:    index.Coverage{User: user, Status: true, Scope: scope, Consent: consent, Requested: requested}}
	}
	yes, no := true, false
	tests := []struct {
		name string
		in   Input
		want Explanation
	}{
		{"a path", Input{User: "alice", Resource: "accounts/A/x", Permission: "CHATS:read"},
			Explanation{Paths: []ExplainPath{r1}, NearMisses: []NearMiss{}}},
		{"the same grant holds another action", Input{User: "alice", Resource: "accounts/A", Permission: "chats:write"},
			Explanation{Paths: []ExplainPath{}, NearMisses: []NearMiss{
				miss(index.MissAction, "holds chats:read on accounts/A but not chats:write", r1)}}},
		{"every kind of grant miss, nearest first", Input{User: "alice", Resource: "accounts/A/docs", Permission: "read:docs"},
			Explanation{Paths: []ExplainPath{}, NearMisses: []NearMiss{
				miss(index.MissExpired, "role viewer on accounts/A would allow read:docs but the grant expired at 2020-01-02T03:04:05Z", r3),
				miss(index.MissRoleInactive, "role old on accounts/A would allow read:docs but is inactive", r4),
				miss(index.MissAction, "holds docs:list on accounts/A but not read:docs", with(r1, ExplainPath{Permission: "docs:list"})),
				miss(index.MissResource, "holds read:* on accounts/B/*, which does not cover accounts/A/docs", r2)}}},
		{"through an installation", Input{User: "alice", Installation: "i1", Resource: "accounts/A", Permission: "chats:read"},
			Explanation{Paths: []ExplainPath{with(r1, ExplainPath{Installation: "i1"})}, NearMisses: []NearMiss{}, Extension: i1(true, true, true, &yes)}},
		{"the installation lacks scope and consent", Input{User: "alice", Installation: "i1", Resource: "accounts/B/x", Permission: "read:docs"},
			Explanation{Paths: []ExplainPath{}, Extension: i1(false, false, true, &yes), NearMisses: []NearMiss{
				miss(index.MissScope, "the scope of installation i1 does not cover accounts/B/x", with(r2, ExplainPath{Installation: "i1"})),
				miss(index.MissConsent, "installation i1 has not consented to read:docs", with(r2, ExplainPath{Installation: "i1"}))}}},
		{"the user lacks it while the installation has it", Input{User: "bob", Installation: "i1", Resource: "accounts/A", Permission: "chats:read"},
			Explanation{Paths: []ExplainPath{}, Extension: i1(true, true, true, &no), NearMisses: []NearMiss{
				miss(index.MissUser, "installation i1 covers chats:read on accounts/A but user bob holds no grant allowing it", ExplainPath{Principal: "user", User: "bob", Installation: "i1"}),
				miss(index.MissAction, "holds read:* on accounts/A but not chats:read", m1)}}},
		{"an installation alone", Input{Installation: "i1", Resource: "accounts/A/1", Permission: "chats:read:x"},
			Explanation{Paths: []ExplainPath{{Principal: "installation", Installation: "i1", Kind: "installation", ID: "i1", Permission: "chats:read:*", Resource: "accounts/A"}},
				NearMisses: []NearMiss{}, Extension: i1(true, true, true, nil)}},
		{"a disabled installation", Input{Installation: "i2", Resource: "accounts/A", Permission: "chats:read"},
			Explanation{Paths: []ExplainPath{}, Extension: &ExtensionSide{Installation: "i2", Extension: "ext", Status: "DISABLED",
				Scope: []index.SideResource{{Resource: "accounts/A", Covers: true}}, Consented: []index.SidePermission{{Permission: "chats:read:*", Covers: true}},
				Requested: []index.SidePermission{{Permission: "read:*"}, {Permission: "chats:*", Covers: true}}, Covers: index.Coverage{Scope: true, Consent: true, Requested: true}},
				NearMisses: []NearMiss{miss(index.MissStatus, "installation i2 is DISABLED, not ACTIVE", ExplainPath{Principal: "installation", Installation: "i2"})}}},
		{"no such installation", Input{Installation: "ghost", Resource: "accounts/A", Permission: "read"},
			Explanation{Paths: []ExplainPath{}, Extension: &ExtensionSide{Installation: "ghost", Scope: []index.SideResource{}, Consented: []index.SidePermission{}, Requested: []index.SidePermission{}},
				NearMisses: []NearMiss{miss(index.MissStatus, "installation ghost does not exist", ExplainPath{Principal: "installation", Installation: "ghost"})}}},
		{"capped, in order", Input{User: "carol", Resource: "accounts/Z", Permission: "read"},
			Explanation{Paths: []ExplainPath{}, NearMisses: carolMisses(1, 2, 3, 4, 5)}},
		{"an unknown user", Input{User: "nobody", Resource: "accounts/A", Permission: "read"}, Explanation{Paths: []ExplainPath{}, NearMisses: []NearMiss{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, x, err := e.Explain(t.Context(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, x); diff != "" {
				t.Errorf("explanation (-want +got):\n%s", diff)
			}
			want := e.gen.Load().view.Decide(tt.in, time.Now().UnixNano())
			if d.DecisionID == "" || !cmp.Equal(want, d, cmpopts.IgnoreFields(Decision{}, "DecisionID")) {
				t.Errorf("decision %+v, want Decide's %+v with an id", d, want)
			}
		})
	}
}

func carolMisses(ids ...int) []NearMiss {
	var out []NearMiss
	for _, i := range ids {
		uri := fmt.Sprintf("accounts/C%d", i)
		out = append(out, miss(index.MissResource, "holds read:* on "+uri+", which does not cover accounts/Z",
			ExplainPath{Principal: "user", User: "carol", Kind: "record", ID: fmt.Sprintf("rc%d", i), Role: "viewer", Permission: "read:*", Resource: uri}))
	}
	return out
}

func miss(reason, message string, p ExplainPath) NearMiss {
	return NearMiss{Reason: reason, Message: message, ExplainPath: p}
}

// with returns base with the fields set in over.
func with(base, over ExplainPath) ExplainPath {
	for _, f := range []struct{ dst, src *string }{
		{&base.Principal, &over.Principal}, {&base.User, &over.User}, {&base.Group, &over.Group}, {&base.App, &over.App},
		{&base.Tenant, &over.Tenant}, {&base.Installation, &over.Installation}, {&base.Kind, &over.Kind}, {&base.ID, &over.ID},
		{&base.Role, &over.Role}, {&base.Permission, &over.Permission}, {&base.Resource, &over.Resource}, {&base.Expires, &over.Expires},
	} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
	return base
}

// Hook rules: an allow hook's reason is a path; a deny hook turns the
// chains it overrules into near misses, so a deny still has no path.
func TestExplainWithHooks(t *testing.T) {
	snap := explainSnapshot()
	snap.Policies = []model.Policy{{Meta: model.Meta{ID: "hooks"}, Source: `package gatehouse.hooks

allow contains "open" if input.resource == "open/1"

deny contains "frozen" if startswith(input.resource, "accounts/A/frozen")
`}}
	e := New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	r1 := ExplainPath{Principal: "user", User: "alice", Kind: "record", ID: "r1", Role: "chat-reader", Permission: "chats:read", Resource: "accounts/A"}
	tests := []struct {
		name string
		in   Input
		want Explanation
	}{
		{"an allow hook", Input{User: "alice", Resource: "open/1", Permission: "anything"},
			Explanation{Paths: []ExplainPath{{Principal: "user", User: "alice", Kind: "policy", ID: "open", Resource: "open/1"}}, NearMisses: []NearMiss{}}},
		{"a deny hook", Input{User: "alice", Resource: "accounts/A/frozen", Permission: "chats:read"},
			Explanation{Paths: []ExplainPath{}, NearMisses: []NearMiss{miss(index.MissPolicy, "this chain allows, but the decision is denied by policy", r1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, x, err := e.Explain(t.Context(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != (len(x.Paths) > 0) {
				t.Errorf("allowed %v with paths %+v", d.Allowed, x.Paths)
			}
			if diff := cmp.Diff(tt.want, x); diff != "" {
				t.Errorf("explanation (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExplainFollowsTheDecidingGeneration explains while a role flips
// between active and inactive: the explanation must always come from the
// generation that decided, so an allow always has a path and a deny none.
func TestExplainFollowsTheDecidingGeneration(t *testing.T) {
	snap := explainSnapshot()
	e := New(nil)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		role := snap.Roles[0]
		for i := range 600 {
			active := i%2 == 1
			role.IsActive, role.Version = &active, int64(i+1)
			if _, err := e.Apply(t.Context(), []Change{{Collection: model.Roles, ID: role.ID, Doc: &role}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	in := Input{User: "alice", Resource: "accounts/A", Permission: "chats:read"}
	var mu sync.Mutex
	answers := map[bool]int{}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for running := true; running; {
				select {
				case <-done:
					running = false
				default:
				}
				d, x, err := e.Explain(t.Context(), in)
				if errors.Is(err, ErrNotReady) {
					continue
				}
				if err != nil || d.Allowed != (len(x.Paths) > 0) {
					t.Errorf("revision %d: allowed %v with paths %+v (%v)", d.Revision, d.Allowed, x.Paths, err)
					return
				}
				mu.Lock()
				answers[d.Allowed]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if answers[true] == 0 || answers[false] == 0 {
		t.Fatalf("answers %v: the test needs allows and denies", answers)
	}
}
