package policy

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/policies"
)

// ErrCompile is returned when policies do not compile.
var ErrCompile = errors.New("policies do not compile")

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

func copyModules(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	maps.Copy(out, m)
	return out
}
