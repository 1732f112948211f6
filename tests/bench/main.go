// Command bench measures gatehouse side by side with a stock OPA serving
// gatehouse's own bundle, and a no-op Gin handler as the ceiling: it
// generates a data set, loads it into an embedded store, starts each
// server as its own process, drives all of them with the same query
// streams at a fixed concurrency, and prints decisions/s, p50, p99 and
// RSS, plus time to ready against the store's raw read time.
//
//	go run ./tests/bench --users 50000 --concurrency 32 --duration 10s
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

type options struct {
	users       int
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	workDir     string
	keep        bool
	reuse       bool     // the work dir's store already holds the data
	only        []string // targets to run
}

var targetNames = []string{"gatehouse", "opa", "noop-gin"}

// validate lists every problem with the options.
func (o options) validate() []string {
	var out []string
	if o.users < 1 || o.concurrency < 1 {
		out = append(out, "--users and --concurrency must be at least 1")
	}
	if o.duration <= 0 || o.warmup < 0 {
		out = append(out, "--duration must be positive and --warmup not negative")
	}
	if o.reuse && o.workDir == "" {
		out = append(out, "--reuse needs --work-dir, where an earlier run with --keep left its store")
	}
	for _, t := range o.only {
		if !slices.Contains(targetNames, t) {
			out = append(out, fmt.Sprintf("--only: unknown target %q (want %s)", t, strings.Join(targetNames, ", ")))
		}
	}
	return out
}

// wants reports whether the target is to be run.
func (o options) wants(target string) bool { return slices.Contains(o.only, target) }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "noop" {
		runNoop(os.Args[2:])
		return
	}
	var o options
	fs := pflag.NewFlagSet("bench", pflag.ExitOnError)
	fs.IntVar(&o.users, "users", 50_000, "users in the generated data set")
	fs.IntVar(&o.concurrency, "concurrency", 32, "concurrent connections")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each stream runs against each server")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each run")
	fs.StringVar(&o.workDir, "work-dir", "", "where to put the store and binaries (default: a temporary directory)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory")
	fs.BoolVar(&o.reuse, "reuse", false, "use the data already in --work-dir's store (from a run with --keep) instead of importing")
	fs.StringSliceVar(&o.only, "only", targetNames, "targets to run (gatehouse always runs)")
	_ = fs.Parse(os.Args[1:])
	if problems := o.validate(); len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "bench: "+strings.Join(problems, "; "))
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
