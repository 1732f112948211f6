// Package server wires the store, the engine and the HTTP API into the
// running gatehouse server. The command and the end-to-end tests share it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/loader"
)

// Defaults for Config.
const (
	DefaultAddr         = "127.0.0.1:8181"
	DefaultSyncInterval = time.Second
	shutdownGrace       = 10 * time.Second
)

// Config is everything `gatehouse serve` takes.
type Config struct {
	Store        StoreConfig
	Addr         string        // HTTP listen address
	SyncInterval time.Duration // how often to poll the store for changes
	API          api.Config
}

// Validate reports every problem with the config.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("addr is required"))
	}
	if c.SyncInterval <= 0 {
		errs = append(errs, errors.New("sync interval must be positive"))
	}
	return errors.Join(append(errs, c.API.Validate(), c.Store.Validate())...)
}

// Server is a running gatehouse.
type Server struct {
	Engine *engine.Engine
	Store  *loader.Mongo
	Addr   string // the address actually bound

	log        *slog.Logger
	http       *http.Server
	ln         net.Listener
	closeStore func()
}

// Start opens the store, binds the address and starts serving; data loads
// in the background (/ready answers 503 until it has). Stop with Close.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	store, closeStore, err := OpenStore(ctx, cfg.Store, log)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		closeStore()
		return nil, err
	}
	s := &Server{Engine: engine.New(log), Store: store, Addr: ln.Addr().String(), log: log, ln: ln, closeStore: closeStore}
	s.http = &http.Server{
		Handler:           api.NewRouter(api.Deps{Engine: s.Engine, Store: store, Log: log, Config: cfg.API}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "error", err)
		}
	}()
	go s.initialLoad(ctx)
	return s, nil
}

// Close shuts the HTTP server down gracefully, then closes the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.closeStore()
	return err
}

// Run starts the server and blocks until ctx is done.
func Run(ctx context.Context, cfg Config, log *slog.Logger, started func(addr string)) error {
	s, err := Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	started(s.Addr)
	<-ctx.Done()
	return s.Close()
}

// initialLoad reads the store until it succeeds.
func (s *Server) initialLoad(ctx context.Context) {
	for {
		start := time.Now()
		rev, err := s.Engine.Refresh(ctx, s.Store)
		if err == nil {
			s.log.Info("data loaded", "revision", rev, "took", time.Since(start).String(), "skipped", fmt.Sprint(s.Store.Skipped()))
			return
		}
		s.log.Error("initial load failed; retrying", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}
