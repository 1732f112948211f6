package engine_test

import (
	"context"
	"testing"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

// routeBenchShape is one tenant with 200 apps of 20 routes each onboarded.
var routeBenchShape = datagen.Routes{Tenants: 1, Apps: 200, RoutesPerApp: 20, Users: 100}

// BenchmarkRouteDecision measures one uncached route decision at 200
// apps × 20 routes per tenant: natively (Engine.DecideHTTP: the tenant's
// Matcher, then the native decision) and through the Rego entrypoint
// data.gatehouse.routes.decision as a prepared query (rego-).
func BenchmarkRouteDecision(b *testing.B) {
	evaluators := []struct {
		name string
		opts engine.Options // no cache: every decision evaluates
	}{{"native/200x20", engine.Options{}}, {"rego/200x20", engine.Options{RegoDecisions: true}}}
	queries := datagen.RouteQueries(routeBenchShape, 4096, 3)
	for _, ev := range evaluators {
		e := engine.NewWithOptions(nil, ev.opts)
		if _, err := e.Load(b.Context(), datagen.RoutedSnapshot(routeBenchShape, 1)); err != nil {
			b.Fatal(err)
		}
		b.Run(ev.name, func(b *testing.B) {
			b.ReportAllocs()
			allowed, routed, i := 0, 0, 0
			for b.Loop() {
				q := queries[i%len(queries)]
				d, err := e.DecideHTTP(context.Background(), engine.HTTPInput{Tenant: q.Tenant, Method: q.Method, Path: q.Path, User: q.User})
				// Every path names a route; GET and POST have a permission there.
				if err != nil || (d.Route != nil) != (q.Method == "GET" || q.Method == "POST") {
					b.Fatalf("%+v: %+v, %v", q, d, err)
				}
				if d.Allowed {
					allowed++
				}
				if d.Route != nil {
					routed++
				}
				i++
			}
			b.ReportMetric(float64(allowed)/float64(i), "allowed/op")
			b.ReportMetric(float64(routed)/float64(i), "routed/op")
		})
	}
}
