package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

var benchSizes = []int{1_000, 50_000}

func loadedWith(b *testing.B, users int) *engine.Engine {
	b.Helper()
	e := engine.NewWithOptions(nil, engine.Options{}) // no cache: every decision evaluates
	if _, err := e.Load(b.Context(), datagen.Snapshot(users, 1)); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkDecide measures one uncached decision in-process.
func BenchmarkDecide(b *testing.B) {
	modes := []struct {
		name string
		mode datagen.Mode
	}{{"user", datagen.ModeUser}, {"delegated", datagen.ModeDelegated}, {"installation", datagen.ModeInstallation}}
	for _, size := range benchSizes {
		e := loadedWith(b, size)
		for _, m := range modes {
			queries := datagen.Queries(size, 4096, 7, m.mode)
			b.Run(fmt.Sprintf("%s/%d", m.name, size), func(b *testing.B) {
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
