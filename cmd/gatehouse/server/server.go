// Package server wires the store, the engine, the syncer and the HTTP API
// into the running gatehouse server. The command and the end-to-end tests
// share it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/loader"
)

// Defaults for Config.
const (
	DefaultAddr   = "127.0.0.1:8181"
	shutdownGrace = 10 * time.Second
)

// Config is everything `gatehouse serve` takes.
type Config struct {
	Store StoreConfig
	Addr  string // HTTP listen address
	HTTP  HTTPConfig
	Sync  loader.SyncConfig
	API   api.Config
	Keys  []api.Key // none: loopback only, every caller has every scope
	// BundleSigning signs served bundles; nil serves them unsigned.
	BundleSigning *bundles.Signing
	// DecisionLog is "off", "stdout", "file:PATH" or "mongo".
	DecisionLog string
	// DecisionCacheSize bounds the decision cache; 0 disables it.
	DecisionCacheSize int
}

// Validate reports every problem with the config.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("addr is required"))
	} else if len(c.Keys) == 0 && !loopback(c.Addr) {
		errs = append(errs, fmt.Errorf("no API keys are configured, so gatehouse only listens on loopback; %s is not (configure keys or use 127.0.0.1)", c.Addr))
	}
	if c.DecisionCacheSize < 0 {
		errs = append(errs, errors.New("decision cache size must not be negative"))
	}
	if !validDecisionLog(c.DecisionLog) {
		errs = append(errs, fmt.Errorf("decision log %q: want off, stdout, file:PATH or mongo", c.DecisionLog))
	}
	for _, k := range c.Keys {
		errs = append(errs, k.Validate())
	}
	return errors.Join(append(errs, c.API.Validate(), c.HTTP.Validate(), c.Store.Validate(), c.Sync.Validate())...)
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Server is a running gatehouse.
type Server struct {
	Engine  *engine.Engine
	Store   *loader.Mongo
	Syncer  *loader.Syncer
	Bundles *bundles.Server
	Addr    string // the address actually bound

	log        *slog.Logger
	http       *http.Server
	cancel     context.CancelFunc
	done       chan struct{}
	closeStore func()
	decisions  *engine.DecisionLog
}

// Start opens the store, binds the address and starts serving; data loads
// in the background (/ready answers 503 until it has). Stop with Close.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Store.Lazy = true // /ready answers 503 until the store answers and loads
	store, closeStore, err := OpenStore(ctx, cfg.Store, log)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		closeStore()
		return nil, err
	}
	eng := engine.NewWithOptions(log, engine.Options{DecisionCacheSize: cfg.DecisionCacheSize})
	decisions, err := openDecisionLog(cfg.DecisionLog, store)
	if err != nil {
		closeStore()
		ln.Close()
		return nil, err
	}
	eng.SetDecisionLog(decisions)
	s := &Server{decisions: decisions, Engine: eng, Store: store, Syncer: loader.NewSyncer(store, eng, cfg.Sync, log), Bundles: bundles.NewServer(eng, cfg.BundleSigning),
		Addr: ln.Addr().String(), log: log, done: make(chan struct{}), closeStore: closeStore}
	if len(cfg.Keys) == 0 {
		log.Warn("no API keys configured: listening on loopback only, and every local caller has every scope", "addr", s.Addr)
	}
	router := api.NewRouter(api.Deps{
		Engine: eng, Store: store, Status: status{store, s.Syncer}, Keys: cfg.Keys, Log: log, Config: cfg.API,
		Bundles: s.Bundles,
	})
	maxBody := cfg.API.MaxBodyBytes
	if maxBody == 0 {
		maxBody = api.DefaultMaxBodyBytes
	}
	s.http = newHTTPServer(router, cfg.HTTP, maxBody)
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "error", err)
		}
	}()
	syncCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		defer close(s.done)
		s.Syncer.Run(syncCtx)
	}()
	return s, nil
}

// Close shuts the HTTP server down gracefully, stops syncing and closes the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.cancel()
	<-s.done
	s.decisions.Close()
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

// status adapts the loader and syncer to api.StoreStatus.
type status struct {
	store  *loader.Mongo
	syncer *loader.Syncer
}

func (s status) Skipped() map[string]int { return s.store.Skipped() }

func (s status) Lag() time.Duration {
	if st := s.syncer.Status(); st.LastSync != nil {
		return time.Since(*st.LastSync)
	}
	return -1
}

func (s status) Freshness() any {
	st := s.syncer.Status()
	lag := int64(-1)
	if st.LastSync != nil {
		lag = time.Since(*st.LastSync).Milliseconds()
	}
	return struct {
		loader.SyncStatus
		LagMillis int64 `json:"lagMillis"`
	}{st, lag}
}

func validDecisionLog(v string) bool {
	return v == "" || v == "off" || v == "stdout" || v == "mongo" || (strings.HasPrefix(v, "file:") && len(v) > len("file:"))
}

// openDecisionLog starts the configured decision log; nil when off.
func openDecisionLog(spec string, store *loader.Mongo) (*engine.DecisionLog, error) {
	var sink engine.DecisionSink
	switch {
	case spec == "" || spec == "off":
		return nil, nil
	case spec == "stdout":
		sink = engine.NewWriterSink(os.Stdout)
	case spec == "mongo":
		sink = store.DecisionSink()
	default:
		f, err := os.OpenFile(strings.TrimPrefix(spec, "file:"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
		if err != nil {
			return nil, fmt.Errorf("decision log: %w", err)
		}
		sink = engine.NewWriterSink(f)
	}
	return engine.NewDecisionLog(sink, engine.DefaultDecisionLogBuffer), nil
}
