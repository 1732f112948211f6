// Package policy owns the Rego side of the engine: the built-in modules,
// compiling them with the custom policies (each tried alone first, and
// refused when it declares rules outside package gatehouse.hooks), the
// entrypoints a decide-scoped caller may query, and the prepared queries
// of one compile (Set). It imports OPA and engine/model; never the engine,
// engine/index, Gin or the MongoDB driver.
package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/gatehouse/gatehouse/engine/model"
)

// DefaultQueryCacheSize bounds the prepared queries kept for the Data API.
const DefaultQueryCacheSize = 256

// Set is one compile of the built-in model with the custom policies that
// pass: the compiler, its entrypoints and its prepared queries over a
// store. It never changes; new policies make a new Set.
type Set struct {
	LoadedAt time.Time
	Compiler *ast.Compiler
	// Native is true when no custom policy declares hook rules, so the
	// native decision equals the Rego one.
	Native bool
	// Skipped lists the ids of the custom policies left out.
	Skipped []string
	// Entrypoints are what a decide-scoped caller may query.
	Entrypoints *Entrypoints

	modules  map[string]string
	store    storage.Store
	prepared map[string]rego.PreparedEvalQuery
	queries  *lru.Cache[string, rego.PreparedEvalQuery]
}

// New compiles the built-in model with the custom policies (see
// compileWithCustom) and prepares the queries over store. It returns
// ErrCompile when the result does not compile.
func New(ctx context.Context, log *slog.Logger, custom []model.Policy, store storage.Store, queries ...string) (*Set, error) {
	modules, skipped, compiler, err := compileWithCustom(log, custom)
	if err != nil {
		return nil, err
	}
	s := &Set{LoadedAt: time.Now(), modules: modules, store: store, Compiler: compiler,
		prepared: map[string]rego.PreparedEvalQuery{}, Native: !hasHooks(compiler), Skipped: skipped}
	if s.Entrypoints, err = EntrypointsOf(modules); err != nil {
		return nil, err
	}
	s.queries, _ = lru.New[string, rego.PreparedEvalQuery](DefaultQueryCacheSize)
	for _, q := range queries {
		pq, err := s.prepare(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", q, err)
		}
		s.prepared[q] = pq
	}
	return s, nil
}

// Modules returns a copy of the modules compiled, by path.
func (s *Set) Modules() map[string]string { return maps.Clone(s.modules) }

// Check compiles a custom policy with this set's modules; see Check.
func (s *Set) Check(id, source string) error { return Check(s.modules, id, source) }

// Prepared returns a query prepared by New; false for another.
func (s *Set) Prepared(query string) (rego.PreparedEvalQuery, bool) {
	pq, ok := s.prepared[query]
	return pq, ok
}

// Query returns the prepared query for a data reference, preparing it
// once and keeping it while the Set lives.
func (s *Set) Query(ctx context.Context, ref string) (rego.PreparedEvalQuery, error) {
	if pq, ok := s.queries.Get(ref); ok {
		return pq, nil
	}
	pq, err := s.prepare(ctx, ref)
	if err != nil {
		return pq, err
	}
	s.queries.Add(ref, pq)
	return pq, nil
}

// Rego returns a one-off query over the compiled policies and the store.
func (s *Set) Rego(opts ...func(*rego.Rego)) *rego.Rego {
	return rego.New(append([]func(*rego.Rego){rego.Compiler(s.Compiler), rego.Store(s.store)}, opts...)...)
}

func (s *Set) prepare(ctx context.Context, query string) (rego.PreparedEvalQuery, error) {
	return s.Rego(rego.Query(query)).PrepareForEval(ctx)
}

// compileWithCustom compiles the built-in modules plus every custom policy
// that stays out of the reserved packages and compiles alongside them; it
// returns the ids of those left out. A policy in a built-in package can
// reach the store without Check (written to MongoDB directly, or stored
// before the packages were reserved), so it is refused here too.
func compileWithCustom(log *slog.Logger, custom []model.Policy) (map[string]string, []string, *ast.Compiler, error) {
	modules := BuiltinModules()
	var skipped []string
	for _, p := range custom {
		if err := checkCustom(p.ID, p.Source); errors.Is(err, ErrReservedPackage) {
			log.Warn("custom policy skipped: declares rules outside the extension point", "policy", p.ID, "error", err)
			skipped = append(skipped, p.ID)
			continue
		}
		trial := copyModules(modules)
		trial[CustomPolicyPath(p.ID)] = p.Source
		if _, err := Compile(trial); err != nil {
			log.Warn("custom policy skipped: does not compile", "policy", p.ID, "error", err)
			skipped = append(skipped, p.ID)
			continue
		}
		modules = trial
	}
	compiler, err := Compile(modules)
	return modules, skipped, compiler, err
}

// Check compiles a custom policy with modules (the built-in model's when
// nil). It returns ErrReservedPackage, naming the package, for a policy
// that declares rules in a package of the built-in model (or malformed
// hook rules), and ErrCompile with the compiler's messages when compiling
// fails.
func Check(modules map[string]string, id, source string) error {
	if err := checkCustom(id, source); err != nil {
		return err
	}
	if modules == nil {
		modules = BuiltinModules()
	} else {
		modules = copyModules(modules)
	}
	modules[CustomPolicyPath(id)] = source
	_, err := Compile(modules)
	return err
}
