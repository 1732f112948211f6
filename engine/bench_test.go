package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

var benchSizes = []int{1_000, 50_000}

func loadedWith(b *testing.B, users int, o engine.Options) *engine.Engine {
	b.Helper()
	e := engine.NewWithOptions(nil, o)
	if _, err := e.Load(b.Context(), datagen.Snapshot(users, 1)); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkDecide measures one uncached decision in-process, native
// (<mode>/<size>) and through the Rego entrypoint (rego-<mode>/<size>).
func BenchmarkDecide(b *testing.B) {
	evaluators := []struct {
		prefix string
		opts   engine.Options // no cache: every decision evaluates
	}{{"", engine.Options{}}, {"rego-", engine.Options{RegoDecisions: true}}}
	for _, size := range benchSizes {
		for _, ev := range evaluators {
			benchDecide(b, loadedWith(b, size, ev.opts), ev.prefix, size)
		}
	}
}

var benchModes = []struct {
	name string
	mode datagen.Mode
}{{"user", datagen.ModeUser}, {"delegated", datagen.ModeDelegated}, {"installation", datagen.ModeInstallation}}

func benchDecide(b *testing.B, e *engine.Engine, prefix string, size int) {
	for _, m := range benchModes {
		queries := datagen.Queries(size, 4096, 7, m.mode)
		b.Run(fmt.Sprintf("%s%s/%d", prefix, m.name, size), func(b *testing.B) {
			b.ReportAllocs()
			allowed, i := 0, 0
			for b.Loop() {
				q := queries[i%len(queries)]
				d, err := e.Decide(context.Background(), engine.Input{User: q.User, Installation: q.Installation, Resource: q.Resource, Permission: q.Permission})
				if err != nil || d.Revision == 0 {
					b.Fatalf("decide: %v", err)
				}
				if d.Allowed {
					allowed++
				}
				i++
			}
			b.ReportMetric(float64(allowed)/float64(i), "allowed/op")
		})
	}
}

// BenchmarkLoad measures indexing and loading a snapshot already in memory.
func BenchmarkLoad(b *testing.B) {
	for _, size := range benchSizes {
		snap := datagen.Snapshot(size, 1)
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			b.ReportAllocs()
			e := engine.New(nil)
			for b.Loop() {
				if _, err := e.Load(b.Context(), snap); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExplain measures one decision with its explanation (no cache:
// every decision evaluates) over mixed user, delegated and installation
// questions, beside BenchmarkDecide. Explanations are off the hot path.
func BenchmarkExplain(b *testing.B) {
	const size = 50_000
	e := loadedWith(b, size, engine.Options{})
	queries := datagen.MixedQueries(size, 4096, 7)
	b.Run(fmt.Sprint(size), func(b *testing.B) {
		b.ReportAllocs()
		allowed, misses, i := 0, 0, 0
		for b.Loop() {
			q := queries[i%len(queries)]
			d, x, err := e.Explain(context.Background(), engine.Input{User: q.User, Installation: q.Installation, Resource: q.Resource, Permission: q.Permission})
			if err != nil || d.Allowed != (len(x.Paths) > 0) {
				b.Fatalf("explain: %v (allowed %v, %d paths)", err, d.Allowed, len(x.Paths))
			}
			if d.Allowed {
				allowed++
			}
			misses += len(x.NearMisses)
			i++
		}
		b.ReportMetric(float64(allowed)/float64(i), "allowed/op")
		b.ReportMetric(float64(misses)/float64(i), "misses/op")
	})
}

// BenchmarkLookup measures each lookup in-process, native and through its
// Rego entrypoint side by side: <lookup>/<native|rego>/<size>.
func BenchmarkLookup(b *testing.B) {
	lookups := []struct {
		name string
		call func(e *engine.Engine, q datagen.Input) (int, error)
	}{
		{"permissions", func(e *engine.Engine, q datagen.Input) (int, error) {
			ps, err := e.Permissions(context.Background(), q.User, q.Resource)
			return len(ps), err
		}},
		{"resources", func(e *engine.Engine, q datagen.Input) (int, error) {
			rs, err := e.Resources(context.Background(), q.User, q.Permission, "")
			return len(rs), err
		}},
		{"memberships", func(e *engine.Engine, q datagen.Input) (int, error) {
			ms, err := e.Memberships(context.Background(), q.User, q.Resource)
			return len(ms), err
		}},
		{"access", func(e *engine.Engine, q datagen.Input) (int, error) {
			p, err := e.Access(context.Background(), q.User, "", 100)
			return len(p.Grants), err
		}},
	}
	for _, size := range benchSizes {
		queries := datagen.Queries(size, 4096, 7, datagen.ModeUser)
		engines := []struct {
			mode string
			e    *engine.Engine
		}{{"native", loadedWith(b, size, engine.Options{})}, {"rego", loadedWith(b, size, engine.Options{RegoLookups: true})}}
		for _, l := range lookups {
			for _, ev := range engines {
				b.Run(fmt.Sprintf("%s/%s/%d", l.name, ev.mode, size), func(b *testing.B) {
					b.ReportAllocs()
					found, i := 0, 0
					for b.Loop() {
						n, err := l.call(ev.e, queries[i%len(queries)])
						if err != nil {
							b.Fatalf("%s: %v", l.name, err)
						}
						found += n
						i++
					}
					b.ReportMetric(float64(found)/float64(i), "items/op")
				})
			}
		}
	}
}

// whoHasSnapshot is datagen's data set for users, plus a resource all of
// them reach: a third through their own records on an ancestor, a third
// through one group's record on the resource itself, a sixth through
// their own records on a "*" pattern and a sixth through memberships on
// the parent; one in ten of them may grant.
func whoHasSnapshot(users int) (*model.Snapshot, string) {
	const resource = "accounts/big/chats/1"
	snap := datagen.Snapshot(users, 1)
	snap.Roles = append(snap.Roles,
		model.Role{Meta: model.Meta{ID: "big-viewer"}, Permissions: []model.Permission{{Action: "read:*"}}},
		model.Role{Meta: model.Meta{ID: "big-granter"}, Permissions: []model.Permission{{Action: "read:*", Grant: true}}})
	team := model.Group{Meta: model.Meta{ID: "big-team"}}
	record := func(id, role, uri string) model.Record {
		return model.Record{Meta: model.Meta{ID: id}, Status: model.StatusActive,
			Statements: []model.Statement{{Roles: []string{role}, Resources: []model.ResourceRef{{ResourceURI: uri}}}}}
	}
	for i := range users {
		u, role := fmt.Sprintf("big%05d", i), "big-viewer"
		if i%10 == 0 {
			role = "big-granter"
		}
		switch i * 6 / users {
		case 0, 1:
			r := record("big-rec-"+u, role, "accounts/big")
			r.Users = []model.UserRef{{UserID: u}}
			snap.Records = append(snap.Records, r)
		case 2, 3:
			team.Users = append(team.Users, model.UserRef{UserID: u})
		case 4:
			r := record("big-rec-"+u, role, "accounts/*/chats")
			r.Users = []model.UserRef{{UserID: u}}
			snap.Records = append(snap.Records, r)
		default:
			snap.Memberships = append(snap.Memberships, model.Membership{Meta: model.Meta{ID: "big-m-" + u}, UserID: u, Context: "accounts/big/chats", Roles: []string{role}})
		}
	}
	teamRec := record("big-team-rec", "big-viewer", resource)
	teamRec.Groups = []model.GroupRef{{GroupID: team.ID}}
	snap.Groups = append(snap.Groups, team)
	snap.Records = append(snap.Records, teamRec)
	return snap, resource
}

// BenchmarkWhoHasAccess measures GET /v1/resources/{uri}/users's engine
// call on a resource 10,000 users reach: the first page of 100, every
// user in one call (all) and, natively, the walk through every page of
// 100; rego- through the Rego definition, which evaluates every user for
// any page (its walk would be 100 times its first page, so it is left out).
func BenchmarkWhoHasAccess(b *testing.B) {
	const users = 10_000
	snap, resource := whoHasSnapshot(users)
	for _, ev := range []struct {
		prefix string
		opts   engine.Options
	}{{"", engine.Options{}}, {"rego-", engine.Options{RegoDecisions: true}}} {
		e := engine.NewWithOptions(nil, ev.opts)
		if _, err := e.Load(b.Context(), snap); err != nil {
			b.Fatal(err)
		}
		q := engine.WhoQuery{Resource: resource, Permission: "read:messages", Limit: 100}
		b.Run(fmt.Sprintf("%sfirst-page/%d", ev.prefix, users), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if p, err := e.WhoHasAccess(b.Context(), q); err != nil || len(p.Users) != 100 || p.Next == "" {
					b.Fatalf("first page: %d users, next %q, %v", len(p.Users), p.Next, err)
				}
			}
		})
		b.Run(fmt.Sprintf("%sall/%d", ev.prefix, users), func(b *testing.B) {
			b.ReportAllocs()
			all := q
			all.Limit = 0
			for b.Loop() {
				if n := walkUsers(b, e, all); n < users {
					b.Fatalf("all: %d users, want at least %d", n, users)
				}
			}
		})
		if ev.prefix != "" {
			continue
		}
		b.Run(fmt.Sprintf("walk/%d", users), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if n := walkUsers(b, e, q); n < users {
					b.Fatalf("walk: %d users, want at least %d", n, users)
				}
			}
		})
	}
}

// walkUsers pages through every user and counts them.
func walkUsers(b *testing.B, e *engine.Engine, q engine.WhoQuery) int {
	n := 0
	for {
		p, err := e.WhoHasAccess(b.Context(), q)
		if err != nil {
			b.Fatal(err)
		}
		n += len(p.Users)
		if p.Next == "" {
			return n
		}
		q.After = p.Next
	}
}
