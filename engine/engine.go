package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/policies"
)

// Errors returned by the engine.
var (
	// ErrNotReady is returned by queries before the first Load.
	ErrNotReady = errors.New("engine: no data loaded yet")
	// ErrInvalidInput wraps the problems of a decision or lookup input.
	ErrInvalidInput = errors.New("invalid input")
	// ErrCompile is returned when policies do not compile.
	ErrCompile = errors.New("policies do not compile")
)

// Entrypoints of the built-in model.
const (
	DecisionQuery    = "data.gatehouse.authz.decision"
	PermissionsQuery = "data.gatehouse.lookup.permissions"
	ResourcesQuery   = "data.gatehouse.lookup.resources"
	MembershipsQuery = "data.gatehouse.lookup.memberships"
)

// DefaultQueryCacheSize bounds the prepared queries kept for the Data API.
const DefaultQueryCacheSize = 256

// Engine evaluates the Rego model over the loaded data. Load builds a
// complete generation (store, compiler, prepared queries) and swaps it in
// at once; Apply changes a few documents in one store transaction. Either
// way a query never sees a half-applied change, and the revision it
// reports is the one it read. Safe for concurrent use.
type Engine struct {
	log *slog.Logger
	mu  sync.Mutex // serializes Load and Apply; guards ix
	ix  *indexer
	cur atomic.Pointer[state]
	// view is the current revision's data for native decisions.
	view atomic.Pointer[view]
	// changed is closed and replaced on every revision change.
	changed atomic.Pointer[chan struct{}]
	// decisions receives an entry per decision; nil logs nothing.
	decisions *DecisionLog
	cache     *decisionCache // nil: no caching
	// regoDecisions evaluates every decision in Rego, never natively.
	regoDecisions bool
}

// Options tune an engine.
type Options struct {
	// DecisionCacheSize bounds the decision cache; 0 disables it.
	DecisionCacheSize int
	// RegoDecisions evaluates every decision with the Rego entrypoint
	// instead of natively, for comparison.
	RegoDecisions bool
}

// SetDecisionLog makes the engine log every decision to l; call before use.
func (e *Engine) SetDecisionLog(l *DecisionLog) { e.decisions = l }

// DecisionsDropped returns how many decision log entries were dropped.
func (e *Engine) DecisionsDropped() int64 { return e.decisions.Dropped() }

// state is one generation of compiled policies over the store of views.
// The data changes through Apply; the policies only through a new state.
type state struct {
	loadedAt time.Time
	modules  map[string]string
	store    storage.Store
	compiler *ast.Compiler
	prepared map[string]rego.PreparedEvalQuery
	queries  *lru.Cache[string, rego.PreparedEvalQuery]
	// native is true when no custom policy declares hook rules, so the
	// native decision equals the Rego one.
	native bool
	// skipped lists the ids of the custom policies left out.
	skipped []string
	// entrypoints are what a decide-scoped caller may query.
	entrypoints *Entrypoints
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
	e := &Engine{log: log, cache: newDecisionCache(o.DecisionCacheSize), regoDecisions: o.RegoDecisions}
	ch := make(chan struct{})
	e.changed.Store(&ch)
	return e
}

// Ready reports whether data has been loaded.
func (e *Engine) Ready() bool { return e.cur.Load() != nil }

// Revision returns the revision of the current data; 0 before the first Load.
func (e *Engine) Revision() uint64 {
	if v := e.view.Load(); v != nil {
		return v.rev
	}
	return 0
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
	s := e.cur.Load()
	if s == nil {
		return Status{}, false
	}
	e.mu.Lock()
	counts := map[string]int{}
	for c, stamps := range e.ix.stamps {
		counts[c] = len(stamps)
	}
	e.mu.Unlock()
	return Status{Revision: e.Revision(), LoadedAt: s.loadedAt, Documents: counts, SkippedPolicies: s.skipped}, true
}

// Load compiles the built-in model with the snapshot's custom policies,
// indexes the snapshot and swaps both in as a new revision. A custom policy
// that does not compile is left out with a warning; the built-in model
// always loads.
func (e *Engine) Load(ctx context.Context, snap *model.Snapshot) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ix, v := build(snap, e.Revision()+1)
	s, err := e.newState(ctx, ix.policies())
	if err != nil {
		return 0, err
	}
	v.modules = s.modules
	e.ix = ix
	e.publish(s, v)
	return v.rev, nil
}

// publish makes s and v current and wakes long polls.
func (e *Engine) publish(s *state, v *view) {
	e.cur.Store(s)
	e.view.Store(v)
	e.notify()
}

// newState compiles policies and prepares the entrypoints over the views.
func (e *Engine) newState(ctx context.Context, custom []model.Policy) (*state, error) {
	modules, skipped, compiler, err := e.compileWithCustom(custom)
	if err != nil {
		return nil, err
	}
	s := &state{loadedAt: time.Now(), modules: modules, store: &viewStore{views: &e.view}, compiler: compiler,
		prepared: map[string]rego.PreparedEvalQuery{}, native: !hasHooks(compiler), skipped: skipped}
	if s.entrypoints, err = EntrypointsOf(modules); err != nil {
		return nil, err
	}
	s.queries, _ = lru.New[string, rego.PreparedEvalQuery](DefaultQueryCacheSize)
	for _, q := range []string{DecisionQuery, PermissionsQuery, ResourcesQuery, MembershipsQuery, MissingToGiveQuery, MissingToInstallQuery} {
		pq, err := s.prepare(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", q, err)
		}
		s.prepared[q] = pq
	}
	return s, nil
}

func (s *state) prepare(ctx context.Context, query string) (rego.PreparedEvalQuery, error) {
	return rego.New(
		rego.Query(query),
		rego.Compiler(s.compiler),
		rego.Store(s.store),
	).PrepareForEval(ctx)
}

// compileWithCustom compiles the built-in modules plus every custom policy
// that stays out of the reserved packages and compiles alongside them; it
// returns the ids of those left out. A policy in a built-in package can
// reach the store without CheckPolicy (written to MongoDB directly, or
// stored before the packages were reserved), so it is refused here too.
func (e *Engine) compileWithCustom(custom []model.Policy) (map[string]string, []string, *ast.Compiler, error) {
	modules := BuiltinModules()
	var skipped []string
	for _, p := range custom {
		if err := checkCustom(p.ID, p.Source); errors.Is(err, ErrReservedPackage) {
			e.log.Warn("custom policy skipped: declares rules outside the extension point", "policy", p.ID, "error", err)
			skipped = append(skipped, p.ID)
			continue
		}
		trial := copyModules(modules)
		trial[CustomPolicyPath(p.ID)] = p.Source
		if _, err := Compile(trial); err != nil {
			e.log.Warn("custom policy skipped: does not compile", "policy", p.ID, "error", err)
			skipped = append(skipped, p.ID)
			continue
		}
		modules = trial
	}
	compiler, err := Compile(modules)
	return modules, skipped, compiler, err
}

const customPrefix = "custom/"

// CustomPolicyPath is the module path of a custom policy in the engine and bundles.
func CustomPolicyPath(id string) string { return customPrefix + id + ".rego" }

// BuiltinModules returns the built-in model's modules (no tests) by path.
func BuiltinModules() map[string]string {
	out := map[string]string{}
	for _, m := range policies.Modules() {
		out[m.Path] = m.Source
	}
	return out
}

// Compile parses and compiles Rego v1 modules, returning ErrCompile with
// the compiler's messages when they fail.
func Compile(modules map[string]string) (*ast.Compiler, error) {
	parsed := make(map[string]*ast.Module, len(modules))
	for path, src := range modules {
		m, err := ast.ParseModuleWithOpts(path, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCompile, err)
		}
		parsed[path] = m
	}
	c := ast.NewCompiler().WithEnablePrintStatements(false)
	if c.Compile(parsed); c.Failed() {
		return nil, fmt.Errorf("%w: %w", ErrCompile, c.Errors)
	}
	return c, nil
}

func copyModules(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (e *Engine) state() (*state, error) {
	s := e.cur.Load()
	if s == nil {
		return nil, ErrNotReady
	}
	return s, nil
}

// CheckPolicy compiles a custom policy with the built-in model and the
// custom policies now loaded. It returns ErrReservedPackage, naming the
// package, for a policy that declares rules in a package of the built-in
// model (or malformed hook rules), and ErrCompile with the compiler's
// messages when compiling fails.
func (e *Engine) CheckPolicy(id, source string) error {
	if err := checkCustom(id, source); err != nil {
		return err
	}
	modules := BuiltinModules()
	if s := e.cur.Load(); s != nil {
		modules = copyModules(s.modules)
	}
	modules[CustomPolicyPath(id)] = source
	_, err := Compile(modules)
	return err
}
