package policy

import (
	"errors"
	"fmt"
	"maps"

	"github.com/gatehouse/gatehouse/policies"
	"github.com/open-policy-agent/opa/v1/ast"
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

func copyModules(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	maps.Copy(out, m)
	return out
}
