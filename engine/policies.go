package engine

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/policy"
)

// The policy side's names, as the engine's callers know them (see
// engine/policy).
const (
	// HooksPackage is the package custom policies extend decisions in.
	HooksPackage = policy.HooksPackage
	// DefaultQueryCacheSize bounds the prepared queries kept for the Data API.
	DefaultQueryCacheSize = policy.DefaultQueryCacheSize
)

var (
	// ErrCompile is returned when policies do not compile.
	ErrCompile = policy.ErrCompile
	// ErrReservedPackage is returned for a custom policy that declares
	// rules outside the extension point; its message names the package.
	ErrReservedPackage = policy.ErrReservedPackage
)

// Entrypoints are the Data API paths a decide-scoped caller may evaluate.
type Entrypoints = policy.Entrypoints

// CustomPolicyPath is the module path of a custom policy in the engine and bundles.
func CustomPolicyPath(id string) string { return policy.CustomPolicyPath(id) }

// BuiltinModules returns the built-in model's modules (no tests) by path.
func BuiltinModules() map[string]string { return policy.BuiltinModules() }

// Compile parses and compiles Rego v1 modules; see policy.Compile.
func Compile(modules map[string]string) (*ast.Compiler, error) { return policy.Compile(modules) }

// EntrypointsOf lists the entrypoints of modules; see policy.EntrypointsOf.
func EntrypointsOf(modules map[string]string) (*Entrypoints, error) {
	return policy.EntrypointsOf(modules)
}

// CheckPolicy compiles a custom policy with the built-in model and the
// custom policies now loaded. It returns ErrReservedPackage, naming the
// package, for a policy that declares rules in a package of the built-in
// model (or malformed hook rules), and ErrCompile with the compiler's
// messages when compiling fails.
func (e *Engine) CheckPolicy(id, source string) error {
	if g := e.gen.Load(); g != nil {
		return g.policies.Check(id, source)
	}
	return policy.Check(nil, id, source)
}

// IsEntrypoint reports whether a decide-scoped caller may query the Data
// API path (see Entrypoints) under the current policies. It returns
// ErrNotReady before the first load.
func (e *Engine) IsEntrypoint(path string) (bool, error) {
	g, err := e.current()
	if err != nil {
		return false, err
	}
	return g.policies.Entrypoints.Allows(path), nil
}
