package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/loader/syncer"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := storeFlagSet("serve")
	var cfg server.Config
	fs.StringVar(&cfg.Addr, "addr", server.DefaultAddr, "HTTP listen address")
	fs.DurationVar(&cfg.Sync.Interval, "sync-interval", syncer.DefaultInterval, "how often to poll the store for changes (without change streams)")
	fs.DurationVar(&cfg.Sync.ResyncInterval, "resync-interval", syncer.DefaultResyncInterval, "how often to re-read everything, catching writes made outside gatehouse")
	fs.DurationVar(&cfg.API.WriteTimeout, "write-timeout", api.DefaultWriteTimeout, "how long a management write may wait for the store")
	var keysFile string
	fs.StringVar(&keysFile, "api-keys-file", "", "YAML/JSON file of API keys ({keys: [{name, key, scopes}]}); also GATEHOUSE_API_KEYS=name:key:scope+scope,...")
	fs.Int64Var(&cfg.API.MaxBodyBytes, "max-body-bytes", api.DefaultMaxBodyBytes, "largest request body accepted")
	fs.IntVar(&cfg.API.MaxBatch, "max-batch", api.DefaultMaxBatch, "most checks in one batch")
	fs.StringVar(&cfg.DecisionLog, "decision-log", server.DecisionLogOff, "where decision logs go: off, stdout, file:PATH or mongo (collection decisions)")
	fs.IntVar(&cfg.DecisionCacheSize, "decision-cache-size", engine.DefaultDecisionCacheSize, "decisions kept in the cache (0 disables it)")
	addHTTPFlags(fs, &cfg.HTTP)
	var sf signingFlags
	addSigningFlags(fs, &sf, "bundle-")
	if err := parse(fs, args, &c.configFile); err != nil {
		return err
	}
	cfg.Store = c.store()
	signing, err := sf.signing()
	if err != nil {
		return usageError{err.Error()}
	}
	cfg.BundleSigning = signing
	keys, err := loadKeys(keysFile, os.Getenv("GATEHOUSE_API_KEYS"))
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
