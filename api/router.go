// Package api serves gatehouse over HTTP with Gin: the decision API, the
// Authress-style lookups, OPA's Data API, the management API, bundles,
// health, status and metrics, and (api/authzen) the OpenID AuthZEN
// evaluation API, behind API keys. Handlers bind, validate,
// call the engine or the writes service (engine/writes) and render; one
// error mapper (errors.go) turns every error into the one error body.
// It must not import the MongoDB driver or the loader, nor hold Rego.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/api/authzen"
	"github.com/gatehouse/gatehouse/api/console"
	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes"
)

// Defaults for Config.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultMaxBatch     = 1000
	DefaultPageLimit    = 100
	DefaultWriteTimeout = 5 * time.Second
	MaxPageLimit        = 1000
)

// Config holds the API's limits.
type Config struct {
	MaxBodyBytes int64 // request bodies larger than this get 413
	MaxBatch     int   // checks per batch; more get 413
	// WriteTimeout bounds a management write, so an unreachable store
	// answers 503 within seconds.
	WriteTimeout time.Duration
}

// Validate reports every problem with the config.
func (c Config) Validate() error {
	var errs []error
	if c.MaxBodyBytes < 0 {
		errs = append(errs, errors.New("max body bytes must not be negative"))
	}
	if c.WriteTimeout < 0 {
		errs = append(errs, errors.New("write timeout must not be negative"))
	}
	if c.MaxBatch < 0 {
		errs = append(errs, errors.New("max batch must not be negative"))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	return c
}

// StoreStatus reports on the store behind the engine.
type StoreStatus interface {
	// Skipped returns, per collection, the documents the last read skipped.
	Skipped() map[string]int
	// Freshness describes how the server follows the store; rendered as is.
	Freshness() any
	// Lag is the time since the last successful sync; negative before one.
	Lag() time.Duration
}

// Deps is what the router needs.
type Deps struct {
	Engine  *engine.Engine
	Store   Store
	Status  StoreStatus
	Keys    []Key           // none: every caller has every scope
	Bundles *bundles.Server // nil: no bundle routes
	Log     *slog.Logger
	Config  Config
	// Writes makes management writes; nil builds one over Engine and Store.
	Writes *writes.Service
}

type handlers struct {
	engine  *engine.Engine
	store   Store
	writes  *writes.Service
	status  StoreStatus
	keys    *keyring
	bundles *bundles.Server
	metrics *metrics
	log     *slog.Logger
	cfg     Config
	start   time.Time
}

// NewRouter builds the HTTP handler.
func NewRouter(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Writes == nil {
		d.Writes = writes.New(d.Engine, d.Store, d.Log)
	}
	h := &handlers{engine: d.Engine, store: d.Store, writes: d.Writes, status: d.Status, keys: newKeyring(d.Keys), bundles: d.Bundles, log: d.Log, cfg: d.Config.withDefaults(), start: time.Now()}
	h.metrics = newMetrics(h)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.UseRawPath = true
	r.UnescapePathValues = true
	r.HandleMethodNotAllowed = true
	r.Use(h.recover, h.metrics.instrument, h.limitBody)
	r.NoRoute(func(c *gin.Context) { h.fail(c, newError(http.StatusNotFound, CodeNotFound, "no such route")) })
	r.NoMethod(func(c *gin.Context) {
		h.fail(c, newError(http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this route"))
	})
	h.health(r)
	h.openapiRoute(r)
	r.GET("/metrics", h.require(ScopeRead), h.metrics.handler())
	h.authorize(r.Group("/v1/authorize", h.require(ScopeDecide)))
	authzen.Register(r, h.require(ScopeDecide), authzen.Deps{Decide: h.decide, Fail: h.fail, MaxBatch: h.cfg.MaxBatch,
		Error: func(status int, code, msg string, ps ...model.Problem) error {
			return newError(status, code, msg, ps...)
		}, Search: h.searches()})
	h.users(r.Group("/v1/users/:userId", h.require(ScopeDecide)))
	h.resources(r.Group("/v1/resources", h.require(ScopeDecide)))
	h.data(r.Group("/v1/data", h.requireData))
	h.manage(r)
	h.appRoutes(r)
	h.bundleRoutes(r)
	console.Register(r) // static files, no key: the page sends the key on its API calls
	return r
}

func (h *handlers) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			h.log.Error("panic in handler", "panic", v, "path", c.Request.URL.Path)
			h.fail(c, newError(http.StatusInternalServerError, CodeInternal, "internal error"))
		}
	}()
	c.Next()
}

// deadline bounds the request's context by d.
func deadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func (h *handlers) limitBody(c *gin.Context) {
	if c.Request.ContentLength > h.cfg.MaxBodyBytes {
		h.fail(c, newError(http.StatusRequestEntityTooLarge, CodeTooLarge, "the request body is larger than the limit"))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.cfg.MaxBodyBytes)
	c.Next()
}

func (h *handlers) loaderLag() float64 {
	if h.status == nil {
		return 0
	}
	return h.status.Lag().Seconds()
}

func (h *handlers) dropped() int64 { return h.engine.DecisionsDropped() }

// decide asks the engine and records the decision's metrics.
func (h *handlers) decide(ctx context.Context, in engine.Input) (engine.Decision, error) {
	start := time.Now()
	d, err := h.engine.Decide(ctx, in)
	if err == nil {
		h.metrics.observeDecision(d, time.Since(start))
	}
	return d, err
}
