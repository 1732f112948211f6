package main

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// report prints the side-by-side table and the ratios the targets name.
func report(w io.Writer, o options, rows []row, targets []*target, raw time.Duration) {
	fmt.Fprintf(w, "\n%s, %d cores, %d users, %d connections, %v per run\n\n", time.Now().Format("2006-01-02"), runtime.NumCPU(), o.users, o.concurrency, o.duration)
	fmt.Fprintf(w, "| stream | server | decisions/s | p50 | p99 | server CPU per 1,000 | RSS MB |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %.0f | %v | %v | %v | %.0f |\n", r.stream, r.target, r.perSecond, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.cpuPer1000.Round(time.Millisecond), r.rssMB)
	}
	get := func(target, stream string) row {
		for _, r := range rows {
			if r.target == target && r.stream == stream {
				return r
			}
		}
		return row{}
	}
	fmt.Fprintln(w)
	for _, s := range []string{"zipf", "distinct"} {
		gh, opa, noop := get("gatehouse", s), get("opa", s), get("noop-gin", s)
		if opa.requests > 0 && noop.requests > 0 {
			fmt.Fprintf(w, "%-8s gatehouse/opa throughput %.2fx, gatehouse/noop %.0f%%, p99 gatehouse/opa %.2f\n",
				s, gh.perSecond/opa.perSecond, 100*gh.perSecond/noop.perSecond, float64(gh.p99)/float64(opa.p99))
		}
	}
	if opa := get("opa", "zipf"); opa.requests > 0 {
		fmt.Fprintf(w, "RSS gatehouse/opa %.2f (after the runs)\n", get("gatehouse", "zipf").rssMB/opa.rssMB)
	}
	for _, t := range targets {
		if t.name == "gatehouse" {
			fmt.Fprintf(w, "time to ready %v; the store's raw read of all collections %v (%.2fx)\n",
				t.ready.Round(time.Millisecond), raw.Round(time.Millisecond), t.ready.Seconds()/raw.Seconds())
		}
	}
}
