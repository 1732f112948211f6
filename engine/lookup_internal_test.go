package engine

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

var (
	lookupUsers     = flag.Int("lookups.users", 150, "users in the data sets of TestNativeLookupsEqualRego and TestNativeLookupsFollowChanges")
	lookupQuestions = flag.Int("lookups.questions", 150, "questions per data set in TestNativeLookupsEqualRego, each asked of every lookup")
)

// regoLookup evaluates a lookup entrypoint at now with string key/value
// pairs as input and decodes it into out, as the reference.
func regoLookup(t *testing.T, e *Engine, query string, now int64, out any, kv ...string) {
	t.Helper()
	g := e.gen.Load()
	pq, _ := g.policies.Prepared(query)
	obj := ast.NewObject()
	for i := 0; i+1 < len(kv); i += 2 {
		obj.Insert(ast.StringTerm(kv[i]), ast.StringTerm(kv[i+1]))
	}
	rs, err := pq.Eval(t.Context(), rego.EvalParsedInput(obj), rego.EvalTime(time.Unix(0, now)), rego.EvalTransaction(e.store.Begin(g.view)))
	if err != nil || len(rs) != 1 {
		t.Fatalf("rego %s %q: %v (%d results)", query, kv, err, len(rs))
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
}

// lookupQuestion is one input of every lookup: Permissions(user, uri),
// Resources(user, permission, prefix), Memberships(user, uri), Access(user).
type lookupQuestion struct{ user, uri, permission, prefix string }

// questions are n of the generated decision inputs and their edge
// variants (native_internal_test.go) as lookup questions, each with a
// prefix that varies in the ways within_prefix treats specially.
func questions(users, n int, seed uint64) []lookupQuestion {
	inputs := generated(users, seed)
	inputs = append(inputs, edgeInputs(inputs)...)
	r := rand.New(rand.NewPCG(seed, 7))
	var out []lookupQuestion
	for _, in := range inputs {
		if in.User == "" {
			continue
		}
		segs := strings.Split(model.TrimURI(in.Resource), "/")
		prefixes := []string{"", segs[0], in.Resource, in.Resource + "/x/y", "/" + in.Resource + "/", "*"}
		if len(segs) > 2 {
			prefixes = append(prefixes, strings.Join(segs[:2], "/"), segs[0]+"/*/"+strings.Join(segs[2:], "/"), "*/"+strings.Join(segs[1:3], "/"))
		}
		out = append(out, lookupQuestion{user: in.User, uri: in.Resource, permission: in.Permission, prefix: prefixes[r.IntN(len(prefixes))]})
	}
	return sample(out, n)
}

// sample keeps n of qs spread evenly, the edge variants at the end included.
func sample(qs []lookupQuestion, n int) []lookupQuestion {
	if n >= len(qs) {
		return qs
	}
	out := make([]lookupQuestion, n)
	for i := range out {
		out[i] = qs[i*len(qs)/n]
	}
	return out
}

// lookupSnapshot is datagen's data set with what it lacks for lookups:
// permissions that are not allowed or that delegate, an action repeated
// in a role, memberships with several roles (one inactive), expiring
// and with "*" in their context, and patterns starting with "*".
func lookupSnapshot(users int, seed uint64) *model.Snapshot {
	snap := datagen.Snapshot(users, seed)
	no := false
	for i := range snap.Roles {
		ps := slices.Clone(snap.Roles[i].Permissions)
		switch i % 5 {
		case 1:
			ps[0].Allow = &no
		case 2:
			ps[0].Delegate = true
			ps = append(ps, model.Permission{Action: ps[0].Action, Grant: true})
		case 3:
			ps = append(ps, model.Permission{Action: strings.ToUpper(ps[0].Action), Allow: &no, Delegate: true})
		}
		snap.Roles[i].Permissions = ps
	}
	soon := time.Now().Add(time.Hour)
	for i := range snap.Memberships {
		m := &snap.Memberships[i]
		switch i % 4 {
		case 1:
			m.Roles = append(m.Roles, "role16", m.Roles[0], fmt.Sprintf("role%d", i%40))
		case 2:
			m.ExpiresAt = &soon
			m.Context = strings.Replace(m.Context, "/projects/", "/*/", 1)
		case 3:
			m.Context = model.TrimURI(m.Context)[:strings.Index(m.Context, "/projects")]
		}
	}
	for i := range snap.Records {
		if st := snap.Records[i].Statements; i%13 == 4 {
			st[0].Resources = append(slices.Clone(st[0].Resources), model.ResourceRef{ResourceURI: "*/" + datagen.Account(i % users)[len("accounts/"):] + "/projects"})
		}
	}
	return snap
}

// sameLookups checks every native lookup against its Rego twin for each
// question at each now, and returns how many answers were not empty.
func sameLookups(t *testing.T, e *Engine, qs []lookupQuestion, nows []int64) (answered int) {
	t.Helper()
	v := e.gen.Load().view
	check := func(what string, q lookupQuestion, now int64, want, got any, empty bool) {
		t.Helper()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s %+v at %d: native differs from Rego (-rego +native):\n%s", what, q, now, diff)
		}
		if !empty {
			answered++
		}
	}
	for _, now := range nows {
		for _, q := range qs {
			var ps model.Problems
			if required(&ps, "user", q.user); ps.List() != nil {
				continue
			}
			if uriField(&ps, "resource", q.uri); ps.List() == nil {
				var perms []HeldPermission
				regoLookup(t, e, PermissionsQuery, now, &perms, "user", q.user, "resource", q.uri)
				check("permissions", q, now, perms, v.Permissions(q.user, q.uri, now), len(perms) == 0)
				var ms []UserMembership
				regoLookup(t, e, MembershipsQuery, now, &ms, "user", q.user, "context", q.uri)
				check("memberships", q, now, ms, v.Memberships(q.user, q.uri, now), len(ms) == 0)
			}
			if ResourcesProblems(q.user, q.permission, q.prefix) == nil {
				var rs []string
				regoLookup(t, e, ResourcesQuery, now, &rs, "user", q.user, "permission", q.permission, "prefix", q.prefix)
				check("resources", q, now, rs, v.Resources(q.user, q.permission, q.prefix, now), len(rs) == 0)
			}
			var all []AccessGrant
			regoLookup(t, e, AccessQuery, now, &all, "user", q.user)
			got, more := v.Access(q.user, now, nil, len(all)+1)
			check("access", q, now, all, got, len(all) == 0 || more)
		}
	}
	return answered
}

func TestNativeLookupsEqualRego(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			e := New(nil)
			if _, err := e.Load(t.Context(), lookupSnapshot(*lookupUsers, seed)); err != nil {
				t.Fatal(err)
			}
			qs := questions(*lookupUsers, *lookupQuestions, seed)
			if answered := sameLookups(t, e, qs, []int64{time.Now().UnixNano()}); answered < len(qs) {
				t.Fatalf("%d answers not empty over %d questions: the comparison needs answers", answered, len(qs))
			}
			// Around expiries, only the users holding expiring grants matter.
			v := e.gen.Load().view
			expiring := slices.DeleteFunc(slices.Clone(qs), func(q lookupQuestion) bool { return v.NextExpiry(q.user, 0) == math.MaxInt64 })
			sameLookups(t, e, sample(expiring, 30), expiryNows(v, 9))
		})
	}
}

// TestNativeLookupsFollowChanges applies random changes and compares
// again, so views built by Apply are checked as well as loaded ones.
func TestNativeLookupsFollowChanges(t *testing.T) {
	t.Parallel()
	e := New(nil)
	snap := lookupSnapshot(*lookupUsers, 3)
	if _, err := e.Load(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 5))
	qs := questions(*lookupUsers, 100, 3)
	for range 3 {
		var changes []Change
		for range 40 {
			changes = append(changes, randomChange(r, snap))
		}
		if _, err := e.Apply(t.Context(), changes); err != nil {
			t.Fatal(err)
		}
		sameLookups(t, e, qs, []int64{time.Now().UnixNano()})
	}
}

// TestLookupsChooseNative: lookups run natively unless RegoLookups is set
// or a custom policy declares hook rules, and both paths answer the same.
func TestLookupsChooseNative(t *testing.T) {
	snap := lookupSnapshot(100, 4)
	hooked := *snap
	hooked.Policies = []model.Policy{{Meta: model.Meta{ID: "h"}, Source: "package gatehouse.hooks\n\ndeny contains \"x\" if input.user == \"u1\"\n"}}
	tests := []struct {
		name   string
		snap   *model.Snapshot
		opts   Options
		native bool
	}{
		{"default", snap, Options{}, true},
		{"rego lookups", snap, Options{RegoLookups: true}, false},
		{"rego decisions only", snap, Options{RegoDecisions: true}, true},
		{"hook rules", &hooked, Options{}, false},
	}
	var answers []string
	for _, tt := range tests {
		e := NewWithOptions(nil, tt.opts)
		if _, err := e.Load(t.Context(), tt.snap); err != nil {
			t.Fatal(err)
		}
		if got := e.nativeLookups(e.gen.Load()); got != tt.native {
			t.Errorf("%s: native %v, want %v", tt.name, got, tt.native)
		}
		answers = append(answers, lookupAnswers(t, e, "u2", "accounts/a0/projects/p1"))
	}
	for i := range answers {
		if answers[i] != answers[0] {
			t.Errorf("%s answers\n%s\nwant (%s)\n%s", tests[i].name, answers[i], tests[0].name, answers[0])
		}
	}
}

// lookupAnswers renders every lookup of user on uri through the engine's API.
func lookupAnswers(t *testing.T, e *Engine, user, uri string) string {
	t.Helper()
	perms, err1 := e.Permissions(t.Context(), user, uri)
	rs, err2 := e.Resources(t.Context(), user, "read:files", "accounts")
	ms, err3 := e.Memberships(t.Context(), user, uri)
	page, err4 := e.Access(t.Context(), user, "", 3)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}
	if len(perms) == 0 || len(rs) == 0 || len(page.Grants) == 0 || page.Next == "" {
		t.Fatalf("test bug: %s holds too little on %s to compare: %v %v %+v", user, uri, perms, rs, page)
	}
	raw, _ := json.Marshal([]any{perms, rs, ms, page})
	return string(raw)
}

// TestAccessPages walks every user's access map a page at a time at every
// limit natively, and at a few in Rego: the pages concatenated are the whole map
// in order, nothing repeats, and Next is "" exactly on the last page.
func TestAccessPages(t *testing.T) {
	snap := lookupSnapshot(40, 5)
	for _, opts := range []Options{{}, {RegoLookups: true}} {
		e := NewWithOptions(nil, opts)
		if _, err := e.Load(t.Context(), snap); err != nil {
			t.Fatal(err)
		}
		paged, users := 0, 40
		if opts.RegoLookups {
			users = 12 // each page a Rego evaluation: fewer users
		}
		for u := range users {
			user := datagen.User(u)
			whole, err := e.Access(t.Context(), user, "", 1000)
			if err != nil || whole.Next != "" {
				t.Fatalf("%s: %+v, %v", user, whole, err)
			}
			for limit := 1; limit <= len(whole.Grants)+1; limit++ {
				if opts.RegoLookups && limit > 2 && limit < len(whole.Grants) {
					continue
				}
				if got := walkAccess(t, e, user, limit); !cmp.Equal(got, whole.Grants) {
					t.Fatalf("%v %s limit %d: pages differ from the whole map:\n%s", opts, user, limit, cmp.Diff(whole.Grants, got))
				}
				paged++
			}
			if !slices.IsSortedFunc(whole.Grants, func(a, b AccessGrant) int { return index.CompareAccess(&a, &b) }) {
				t.Fatalf("%s: access map out of order: %+v", user, whole.Grants)
			}
		}
		if paged < 2*users {
			t.Fatalf("only %d walks: the users hold too little", paged)
		}
	}
}

// walkAccess reads user's access map limit grants at a time.
func walkAccess(t *testing.T, e *Engine, user string, limit int) []AccessGrant {
	t.Helper()
	out := []AccessGrant{}
	seen := map[string]bool{}
	for after := ""; ; {
		page, err := e.Access(t.Context(), user, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Grants) > limit || (page.Next != "" && len(page.Grants) != limit) {
			t.Fatalf("%s limit %d: a page of %d, next %q", user, limit, len(page.Grants), page.Next)
		}
		for i := range page.Grants {
			if k := accessCursor(&page.Grants[i]); seen[k] {
				t.Fatalf("%s limit %d: %s twice", user, limit, k)
			} else {
				seen[k] = true
			}
		}
		out = append(out, page.Grants...)
		if page.Next == "" {
			return out
		}
		after = page.Next
	}
}

// A cursor names a position, not a grant: one whose grant is gone
// resumes after where it would sort.
func TestAccessAfter(t *testing.T) {
	list := []AccessGrant{{Resource: "a", Kind: "record", ID: "1", Role: "r"}, {Resource: "b", Kind: "record", ID: "1", Role: "r"},
		{Resource: "b", Kind: "record", ID: "1", Group: "g", Role: "r"}, {Resource: "c", Kind: "membership", ID: "2", Role: "r"}}
	tests := []struct {
		name  string
		after *AccessGrant
		limit int
		want  []AccessGrant
		more  bool
	}{
		{"first page", nil, 2, list[:2], true},
		{"exactly the rest", &list[1], 2, list[2:], false},
		{"after the last", &list[3], 2, list[4:], false},
		{"a gone grant", &AccessGrant{Resource: "b", Kind: "record", ID: "1", Group: "f", Role: "r"}, 5, list[2:], false},
		{"before everything", &AccessGrant{Resource: "0"}, 1, list[:1], true},
	}
	for _, tt := range tests {
		got, more := index.AccessAfter(list, tt.after, tt.limit)
		if !cmp.Equal(got, tt.want) || more != tt.more {
			t.Errorf("%s: %+v %v, want %+v %v", tt.name, got, more, tt.want, tt.more)
		}
	}
}

// Access refuses a bad user, a cursor it did not issue and a limit below
// one, listing every problem; other lookups list theirs too.
func TestLookupInputProblems(t *testing.T) {
	e := New(nil)
	if _, err := e.Load(t.Context(), lookupSnapshot(20, 6)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		call   func() error
		fields []string
	}{
		{"access all wrong", func() error { _, err := e.Access(t.Context(), " ", "x", 0); return err }, []string{"user", "cursor", "limit"}},
		{"access short cursor", func() error { _, err := e.Access(t.Context(), "u1", `["a","b"]`, 1); return err }, []string{"cursor"}},
		{"access null cursor", func() error { _, err := e.Access(t.Context(), "u1", `null`, 1); return err }, []string{"cursor"}},
		{"access numbers cursor", func() error { _, err := e.Access(t.Context(), "u1", `[1,2,3,4,5]`, 1); return err }, []string{"cursor"}},
		{"permissions", func() error { _, err := e.Permissions(t.Context(), "", "a//b"); return err }, []string{"user", "resource"}},
		{"memberships", func() error { _, err := e.Memberships(t.Context(), "u\n", ""); return err }, []string{"user", "context"}},
		{"resources", func() error { _, err := e.Resources(t.Context(), "u1", "a::b", "./x"); return err }, []string{"permission", "prefix"}},
	}
	for _, tt := range tests {
		var bad *InvalidInputError
		if err := tt.call(); !errors.As(err, &bad) {
			t.Errorf("%s: %v, want invalid input", tt.name, err)
			continue
		}
		var fields []string
		for _, p := range bad.Problems {
			fields = append(fields, p.Field)
		}
		if !slices.Equal(fields, tt.fields) {
			t.Errorf("%s: problems %+v, want fields %v", tt.name, bad.Problems, tt.fields)
		}
	}
	if _, err := e.Access(t.Context(), "u1", `["a","b","c","d","e"]`, 1); err != nil {
		t.Errorf("a well-formed cursor: %v", err)
	}
}
