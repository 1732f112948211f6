package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/tests/datagen"
)

// target is one server under load.
type target struct {
	name  string
	base  string
	path  string // decision endpoint
	opa   bool   // wrap the input as {"input": …}
	proc  *process
	ready time.Duration
}

func run(ctx context.Context, o options) error {
	dir, err := workDir(o)
	if err != nil {
		return err
	}
	bins, err := buildBinaries(dir)
	if err != nil {
		return err
	}
	store, err := startProcess(ctx, "store", bins.gatehouse, "store", "--data-dir", filepath.Join(dir, "store"), "--addr", freeAddr())
	if err != nil {
		return err
	}
	defer store.stop()
	uri := "mongodb://" + store.addr + "/"
	if err := waitTCP(ctx, store.addr, 30*time.Second); err != nil {
		return err
	}
	m, err := mongostore.Open(ctx, mongostore.Config{URI: uri, Timeout: 10 * time.Minute}, nil)
	if err != nil {
		return err
	}
	if !o.reuse {
		if err := generate(ctx, m, o.users); err != nil {
			return err
		}
	}
	rawStart := time.Now()
	if _, err := m.Snapshot(ctx); err != nil {
		return err
	}
	raw := time.Since(rawStart)
	_ = m.Close(ctx)

	targets, cleanup, err := startTargets(ctx, o, dir, bins, uri)
	defer cleanup()
	if err != nil {
		return err
	}
	streams := buildStreams(o.users)
	var rows []row
	for _, s := range streams {
		for _, t := range targets {
			r, err := drive(ctx, t, s, o)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", t.name, s.name, err)
			}
			rows = append(rows, r)
		}
	}
	report(os.Stdout, o, rows, targets, raw)
	return nil
}

// generate imports a data set of the given size.
func generate(ctx context.Context, m *mongostore.Store, users int) error {
	fmt.Printf("generating %d users and importing them …\n", users)
	snap := datagen.Snapshot(users, 1)
	start := time.Now()
	if err := m.Import(ctx, snap); err != nil {
		return err
	}
	fmt.Printf("imported %v in %v\n", snap.Counts(), time.Since(start).Round(time.Millisecond))
	return nil
}

func workDir(o options) (string, error) {
	if o.workDir != "" {
		return o.workDir, os.MkdirAll(o.workDir, 0o750)
	}
	return os.MkdirTemp("", "gatehouse-bench-")
}

type binaries struct{ gatehouse, opa, self string }

// buildBinaries builds gatehouse and stock OPA (at the go.mod version).
func buildBinaries(dir string) (binaries, error) {
	b := binaries{gatehouse: filepath.Join(dir, "gatehouse"), opa: filepath.Join(dir, "opa")}
	for _, args := range [][]string{
		{"build", "-o", b.gatehouse, "./cmd/gatehouse"},
		{"build", "-o", b.opa, "github.com/open-policy-agent/opa"},
	} {
		cmd := exec.Command("go", args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return b, fmt.Errorf("go %v: %w", args, err)
		}
	}
	self, err := os.Executable()
	b.self = self
	return b, err
}

// startTargets starts gatehouse (timing it to ready), stock OPA on
// gatehouse's bundle, and the no-op handler.
func startTargets(ctx context.Context, o options, dir string, bins binaries, uri string) ([]*target, func(), error) {
	var procs []*process
	cleanup := func() {
		for _, p := range procs {
			p.stop()
		}
	}
	gh, err := startProcess(ctx, "gatehouse", bins.gatehouse, "serve", "--mongo-uri", uri, "--addr", freeAddr(), "--resync-interval", "10m")
	if err != nil {
		return nil, cleanup, err
	}
	procs = append(procs, gh)
	_, err = waitReady(ctx, "http://"+gh.addr+"/ready", 10*time.Minute)
	if err != nil {
		return nil, cleanup, err
	}
	targets := []*target{{name: "gatehouse", base: "http://" + gh.addr, path: "/v1/authorize", proc: gh, ready: time.Since(gh.started)}}
	if o.wants("opa") {
		t, p, err := startOPA(ctx, dir, bins, uri)
		procs = append(procs, p...)
		if err != nil {
			return nil, cleanup, err
		}
		targets = append(targets, t)
	}
	if o.wants("noop-gin") {
		noop, err := startProcess(ctx, "noop", bins.self, "noop", freeAddr())
		if err != nil {
			return nil, cleanup, err
		}
		procs = append(procs, noop)
		if _, err := waitReady(ctx, "http://"+noop.addr+"/ready", time.Minute); err != nil {
			return nil, cleanup, err
		}
		targets = append(targets, &target{name: "noop-gin", base: "http://" + noop.addr, path: "/v1/authorize", proc: noop})
	}
	return targets, cleanup, nil
}

// startOPA builds gatehouse's bundle and starts a stock OPA serving it.
func startOPA(ctx context.Context, dir string, bins binaries, uri string) (*target, []*process, error) {
	bundle := filepath.Join(dir, "bundle.tar.gz")
	cmd := exec.Command(bins.gatehouse, "bundle", "build", "--mongo-uri", uri, "-o", bundle)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("bundle build: %w", err)
	}
	opa, err := startProcess(ctx, "opa", bins.opa, "run", "--server", "--addr", freeAddr(), "--log-level", "error", "-b", bundle)
	if err != nil {
		return nil, nil, err
	}
	if _, err := waitReady(ctx, "http://"+opa.addr+"/health?bundles=true", 10*time.Minute); err != nil {
		return nil, []*process{opa}, err
	}
	return &target{name: "opa", base: "http://" + opa.addr, path: "/v1/data/gatehouse/authz/decision", opa: true, proc: opa, ready: time.Since(opa.started)}, []*process{opa}, nil
}
