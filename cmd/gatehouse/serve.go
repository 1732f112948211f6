package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/loader"
)

// serveFlags are the flags of `gatehouse serve`.
type serveFlags struct {
	commonFlags
	addr         string
	syncInterval time.Duration
	api          api.Config
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	var f serveFlags
	addStoreFlags(fs, &f.commonFlags)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8181", "HTTP listen address")
	fs.DurationVar(&f.syncInterval, "sync-interval", time.Second, "how often to poll the store for changes")
	fs.Int64Var(&f.api.MaxBodyBytes, "max-body-bytes", api.DefaultMaxBodyBytes, "largest request body accepted")
	fs.IntVar(&f.api.MaxBatch, "max-batch", api.DefaultMaxBatch, "most checks in one batch")
	if err := parse(fs, args, &f.configFile); err != nil {
		return err
	}
	if err := f.api.Validate(); err != nil {
		return usageError{err.Error()}
	}
	return serve(ctx, f, stdout, newLogger(stderr))
}

func serve(ctx context.Context, f serveFlags, stdout io.Writer, log *slog.Logger) error {
	store, closeStore, err := openStore(ctx, f.commonFlags, log)
	if err != nil {
		return err
	}
	defer closeStore()
	eng := engine.New(log)
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api.NewRouter(api.Deps{Engine: eng, Store: store, Log: log, Config: f.api}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	fmt.Fprintf(stdout, "gatehouse listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go initialLoad(ctx, eng, store, log)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// initialLoad reads the store until it succeeds; /ready is 503 until then.
func initialLoad(ctx context.Context, eng *engine.Engine, store *loader.Mongo, log *slog.Logger) {
	for {
		start := time.Now()
		rev, err := eng.Refresh(ctx, store)
		if err == nil {
			log.Info("data loaded", "revision", rev, "took", time.Since(start).String(), "skipped", store.Skipped())
			return
		}
		log.Error("initial load failed; retrying", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}
