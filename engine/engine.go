package engine

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/engine/decisionlog"
	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/policy"
	"github.com/gatehouse/gatehouse/engine/regostore"
)

// Errors returned by the engine.
var (
	// ErrNotReady is returned by queries before the first Load.
	ErrNotReady = errors.New("engine: no data loaded yet")
	// ErrInvalidInput wraps the problems of a decision or lookup input.
	ErrInvalidInput = errors.New("invalid input")
)

// Entrypoints of the built-in model.
const (
	DecisionQuery    = "data.gatehouse.authz.decision"
	PermissionsQuery = "data.gatehouse.lookup.permissions"
	ResourcesQuery   = "data.gatehouse.lookup.resources"
	MembershipsQuery = "data.gatehouse.lookup.memberships"
	AccessQuery      = "data.gatehouse.lookup.access"
	UsersQuery       = "data.gatehouse.lookup.users"
	// The on-behalf-of checks.
	MissingToGiveQuery    = "data.gatehouse.admin.missing_to_give"
	MissingToInstallQuery = "data.gatehouse.admin.missing_to_install"
)

// preparedQueries are prepared with every compile.
var preparedQueries = []string{DecisionQuery, RouteQuery, PermissionsQuery, ResourcesQuery, MembershipsQuery, AccessQuery, UsersQuery, MissingToGiveQuery, MissingToInstallQuery}

// Engine evaluates the Rego model over the loaded data. Each revision is
// one generation, the compiled policies and the view of the data
// together, published through one pointer: a reader loads it once and
// never pairs policies with another revision's data. Load builds a new
// generation whole; Apply rebuilds only what its changes touch. Safe for
// concurrent use.
type Engine struct {
	log   *slog.Logger
	mu    sync.Mutex // serializes Load and Apply; guards ix
	ix    *index.Indexer
	gen   atomic.Pointer[generation]
	store *regostore.Store // over the current generation's view
	// changed is closed and replaced on every revision change.
	changed atomic.Pointer[chan struct{}]
	// decisions receives an entry per decision; nil logs nothing.
	decisions *decisionlog.Log
	cache     *decisionCache // nil: no caching
	// regoDecisions evaluates every decision in Rego, never natively.
	regoDecisions bool
	// regoLookups evaluates every lookup in Rego, never natively.
	regoLookups bool
}

// generation is one revision: the policies compiled and the view they
// read. Apply without a policy change keeps the policies.
type generation struct {
	policies  *policy.Set
	view      *index.View
	resources knownResources // built on the first search (search.go)
}

// Options tune an engine.
type Options struct {
	// DecisionCacheSize bounds the decision cache; 0 disables it.
	DecisionCacheSize int
	// RegoDecisions evaluates every decision with the Rego entrypoint
	// instead of natively, for comparison.
	RegoDecisions bool
	// RegoLookups evaluates every lookup (permissions, resources,
	// memberships, access) with its Rego entrypoint instead of natively,
	// for comparison.
	RegoLookups bool
	// DecisionLog receives an entry per decision and Data API query; nil
	// logs nothing. The caller closes it after the engine's last use.
	DecisionLog *decisionlog.Log
}

// New returns an engine with no data and a decision cache of the default
// size; queries fail with ErrNotReady until Load.
func New(log *slog.Logger) *Engine {
	return NewWithOptions(log, Options{DecisionCacheSize: DefaultDecisionCacheSize})
}

// NewWithOptions is New with options.
func NewWithOptions(log *slog.Logger, o Options) *Engine {
	if log == nil {
		log = slog.Default()
	}
	e := &Engine{log: log, cache: newDecisionCache(o.DecisionCacheSize), regoDecisions: o.RegoDecisions, regoLookups: o.RegoLookups, decisions: o.DecisionLog}
	e.store = regostore.New(func() *index.View {
		if g := e.gen.Load(); g != nil {
			return g.view
		}
		return nil
	})
	ch := make(chan struct{})
	e.changed.Store(&ch)
	return e
}

// DecisionsDropped returns how many decision log entries were dropped.
func (e *Engine) DecisionsDropped() int64 { return e.decisions.Dropped() }

// CacheStats returns the decision cache's counters; zero when disabled.
func (e *Engine) CacheStats() CacheStats { return e.cache.stats() }

// Ready reports whether data has been loaded.
func (e *Engine) Ready() bool { return e.gen.Load() != nil }

// Revision returns the revision of the current data; 0 before the first Load.
func (e *Engine) Revision() uint64 {
	if g := e.gen.Load(); g != nil {
		return g.view.Rev()
	}
	return 0
}

// current returns the current generation; ErrNotReady before Load.
func (e *Engine) current() (*generation, error) {
	g := e.gen.Load()
	if g == nil {
		return nil, ErrNotReady
	}
	return g, nil
}

// Status describes the current generation.
type Status struct {
	Revision  uint64         `json:"revision"`
	LoadedAt  time.Time      `json:"loadedAt"`
	Documents map[string]int `json:"documents"`
	// SkippedPolicies lists the custom policies left out of this
	// generation, because they do not compile or declare rules outside
	// the extension point.
	SkippedPolicies []string `json:"skippedPolicies,omitempty"`
}

// Status returns the current generation's status; ok is false before Load.
func (e *Engine) Status() (Status, bool) {
	g := e.gen.Load()
	if g == nil {
		return Status{}, false
	}
	e.mu.Lock()
	counts := e.ix.Counts()
	e.mu.Unlock()
	return Status{Revision: g.view.Rev(), LoadedAt: g.policies.LoadedAt, Documents: counts, SkippedPolicies: g.policies.Skipped}, true
}

// Load compiles the built-in model with the snapshot's custom policies,
// indexes the snapshot and swaps both in as a new revision. A custom policy
// that does not compile is left out with a warning; the built-in model
// always loads.
func (e *Engine) Load(ctx context.Context, snap *model.Snapshot) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ix, v := index.Build(snap, e.Revision()+1)
	p, err := e.compile(ctx, ix.Policies())
	if err != nil {
		return 0, err
	}
	e.ix = ix
	e.publish(&generation{policies: p, view: v})
	return v.Rev(), nil
}

// compile compiles the policies and prepares the entrypoints over the store.
func (e *Engine) compile(ctx context.Context, custom []model.Policy) (*policy.Set, error) {
	return policy.New(ctx, e.log, custom, e.store, preparedQueries...)
}

// publish makes g current and wakes long polls.
func (e *Engine) publish(g *generation) {
	e.gen.Store(g)
	next := make(chan struct{})
	close(*e.changed.Swap(&next))
}

// Changed returns a channel closed at the next revision change, for long
// polling: take it before reading the revision, then wait on it.
func (e *Engine) Changed() <-chan struct{} {
	return *e.changed.Load()
}
