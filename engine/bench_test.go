package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/engine"
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
