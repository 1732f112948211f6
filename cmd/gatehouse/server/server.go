// Package server wires the store, the engine, the syncer and the HTTP API
// into the running gatehouse server, closing each part it started in
// reverse. The command and the end-to-end tests share it. It holds no
// handlers, decisions or queries of its own, and must not import pflag or
// anything of the command line.
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
	"github.com/gatehouse/gatehouse/engine/decisionlog"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/loader/syncer"
)

// Defaults for Config.
const (
	DefaultAddr   = "127.0.0.1:8181"
	shutdownGrace = 10 * time.Second
)

// Decision log sinks (Config.DecisionLog); a file is "file:PATH".
const (
	DecisionLogOff    = "off"
	DecisionLogStdout = "stdout"
	DecisionLogMongo  = "mongo"
	decisionLogFile   = "file:"
)

// Config is everything `gatehouse serve` takes.
type Config struct {
	// Store is the MongoDB at Store.URI, or the embedded store in
	// Store.DataDir; Start opens it lazily, so /ready waits for it.
	Store mongostore.Config
	Addr  string // HTTP listen address
	HTTP  HTTPConfig
	Sync  syncer.Config
	API   api.Config
	Keys  []api.Key // none: loopback only, every caller has every scope
	// BundleSigning signs served bundles; nil serves them unsigned.
	BundleSigning *bundles.Signing
	// DecisionLog is "off", "stdout", "file:PATH" or "mongo".
	DecisionLog string
	// DecisionCacheSize bounds the decision cache; 0 disables it.
	DecisionCacheSize int
	// EnvoyAddr is the Envoy ext_authz gRPC listen address; empty
	// (DefaultEnvoyAddr) serves none.
	EnvoyAddr string
}

// Validate reports every problem with the config.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("addr is required"))
	} else if len(c.Keys) == 0 && !loopback(c.Addr) {
		errs = append(errs, fmt.Errorf("no API keys are configured, so gatehouse only listens on loopback; %s is not (configure keys or use 127.0.0.1)", c.Addr))
	}
	if c.EnvoyAddr != "" && len(c.Keys) == 0 && !loopback(c.EnvoyAddr) {
		errs = append(errs, fmt.Errorf("no API keys are configured, so the envoy ext_authz server only listens on loopback; %s is not", c.EnvoyAddr))
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
	Store   *mongostore.Store
	Syncer  *syncer.Syncer
	Bundles *bundles.Server
	Addr    string // the address actually bound
	// EnvoyAddr is the ext_authz address actually bound; empty when off.
	EnvoyAddr string

	log     *slog.Logger
	closers closers // every part started, closed in reverse by Close
}

// Start opens the store, binds the address and starts serving; data loads
// in the background (/ready answers 503 until it has). Stop with Close.
// Each part is closed again, last first, when a later one fails to start.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (_ *Server, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{log: log}
	defer func() {
		if err != nil {
			_ = s.closers.unwind()
		}
	}()
	cfg.Store.Lazy = true // /ready answers 503 until the store answers and loads
	store, err := mongostore.Open(ctx, cfg.Store, log)
	if err != nil {
		return nil, err
	}
	s.closers.push(func() error { return store.Close(context.Background()) })
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	// Once served, the HTTP server's Shutdown closes ln first; closing it
	// again here is harmless.
	s.closers.pushFunc(func() { _ = ln.Close() })
	decisions, err := openDecisionLog(cfg.DecisionLog, store)
	if err != nil {
		return nil, err
	}
	s.closers.pushFunc(decisions.Close)
	eng := engine.NewWithOptions(log, engine.Options{DecisionCacheSize: cfg.DecisionCacheSize, DecisionLog: decisions})
	s.Engine, s.Store, s.Addr = eng, store, ln.Addr().String()
	s.Syncer, s.Bundles = syncer.New(store, eng, cfg.Sync, log), bundles.NewServer(eng, cfg.BundleSigning)
	s.startSyncing()
	s.serve(ln, cfg)
	if err := s.serveEnvoy(cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// startSyncing runs the syncer until Close.
func (s *Server) startSyncing() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Syncer.Run(ctx)
	}()
	s.closers.pushFunc(func() { cancel(); <-done })
}

// serve serves the API on ln until Close, which shuts it down gracefully.
func (s *Server) serve(ln net.Listener, cfg Config) {
	if len(cfg.Keys) == 0 {
		s.log.Warn("no API keys configured: listening on loopback only, and every local caller has every scope", "addr", s.Addr)
	}
	router := api.NewRouter(api.Deps{
		Engine: s.Engine, Store: s.Store, Status: status{s.Store, s.Syncer}, Keys: cfg.Keys, Log: s.log, Config: cfg.API,
		Bundles: s.Bundles,
	})
	maxBody := cfg.API.MaxBodyBytes
	if maxBody == 0 {
		maxBody = api.DefaultMaxBodyBytes
	}
	srv := newHTTPServer(router, cfg.HTTP, maxBody)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "error", err)
		}
	}()
	s.closers.push(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		return srv.Shutdown(ctx)
	})
}

// Close shuts the HTTP server down gracefully, stops syncing, flushes the
// decision log and closes the store.
func (s *Server) Close() error {
	return s.closers.unwind()
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
	store  *mongostore.Store
	syncer *syncer.Syncer
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
		syncer.Status
		LagMillis int64 `json:"lagMillis"`
	}{st, lag}
}

func validDecisionLog(v string) bool {
	return v == "" || v == DecisionLogOff || v == DecisionLogStdout || v == DecisionLogMongo ||
		(strings.HasPrefix(v, decisionLogFile) && len(v) > len(decisionLogFile))
}

// openDecisionLog starts the configured decision log; nil when off.
func openDecisionLog(spec string, store *mongostore.Store) (*decisionlog.Log, error) {
	var sink decisionlog.Sink
	switch {
	case spec == "" || spec == DecisionLogOff:
		return nil, nil
	case spec == DecisionLogStdout:
		sink = decisionlog.NewWriterSink(os.Stdout)
	case spec == DecisionLogMongo:
		sink = store.DecisionSink()
	default:
		f, err := os.OpenFile(strings.TrimPrefix(spec, decisionLogFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
		if err != nil {
			return nil, fmt.Errorf("decision log: %w", err)
		}
		sink = decisionlog.NewWriterSink(f)
	}
	return decisionlog.New(sink, decisionlog.DefaultBuffer), nil
}
