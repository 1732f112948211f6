package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/loader/mongostore"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, p := newFlags("serve", stderr)
	if err := parse(fs, args, p); err != nil {
		return err
	}
	cfg := p.serve
	cfg.Store = p.store
	signing, err := p.bundleSigning.signing()
	if err != nil {
		return usageError{err.Error()}
	}
	cfg.BundleSigning = signing
	keys, err := loadKeys(p.keysFile, os.Getenv(apiKeysEnv))
	if err != nil {
		return usageError{err.Error()}
	}
	cfg.Keys = keys
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	log := newLogger(stderr)
	tuneGC()
	return server.Run(ctx, cfg, log, func(addr string) {
		fmt.Fprintf(stdout, "gatehouse listening on http://%s\n", addr)
		log.Info("listening", "addr", addr, "store", describeStore(cfg.Store))
	})
}

// serveGCPercent is the collector's target for serve unless GOGC is set.
// A server's heap is mostly the long-lived index and per-request garbage
// is small, so collecting at 50% growth instead of 100% keeps memory near
// the live heap for little CPU.
const serveGCPercent = 50

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}

func describeStore(s mongostore.Config) string {
	if s.URI != "" {
		return "mongodb (" + s.Database + ")"
	}
	return "embedded in " + s.DataDir
}
