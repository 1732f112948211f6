package policy

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/policies"
)

// Custom policies extend the built-in decision only through the hook sets
// of package gatehouse.hooks (see policies/gatehouse/hooks): deny hooks
// narrow it, allow hooks may pass its user side, and the Rego decision
// consults both, so allow, decision, /v1/authorize and sidecars agree.
// Every other package of the built-in model, with its subpackages, and
// the data documents the engine serves under gatehouse are reserved: a
// custom rule there could change one entrypoint and not another.

// ErrReservedPackage is returned for a custom policy that declares rules
// inside a package of the built-in model or over its data, or hook rules
// of the wrong shape. Its message names the package.
var ErrReservedPackage = errors.New("custom policy outside the extension point")

// HooksPackage is the package custom policies extend decisions in.
const HooksPackage = "gatehouse.hooks"

var (
	hooksRef  = ast.MustParseRef("data." + HooksPackage)
	denyHook  = hooksRef.Append(ast.StringTerm("deny"))
	allowHook = hooksRef.Append(ast.StringTerm("allow"))
	hookRefs  = []ast.Ref{denyHook, allowHook}
	dataRoots = []ast.Ref{ast.MustParseRef("data.gatehouse.index"), ast.MustParseRef("data.gatehouse.revision")}
)

// reservedPaths returns the packages of the built-in modules except the
// hooks package, plus the data documents the engine serves; computed once.
var reservedPaths = sync.OnceValue(func() []ast.Ref {
	var out []ast.Ref
	seen := map[string]bool{}
	for _, m := range policies.Modules() {
		parsed, err := ast.ParseModuleWithOpts(m.Path, m.Source, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			panic("engine: built-in module " + m.Path + " does not parse: " + err.Error())
		}
		if p := parsed.Package.Path; !p.Equal(hooksRef) && !seen[p.String()] {
			seen[p.String()] = true
			out = append(out, p)
		}
	}
	return append(out, dataRoots...)
})

// checkCustom parses a custom policy and refuses it when it declares a
// package or a rule inside a reserved path (or a rule above one, which
// would replace it), or hook rules that are not multi-value rules at
// exactly data.gatehouse.hooks.deny and .allow. A source that does not
// parse returns ErrCompile.
func checkCustom(id, source string) error {
	m, err := ast.ParseModuleWithOpts(CustomPolicyPath(id), source, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCompile, err)
	}
	for _, r := range reservedPaths() {
		if m.Package.Path.HasPrefix(r) {
			return reservedError(m.Package.Path, r, "")
		}
	}
	for _, rule := range m.Rules {
		path := rule.Path()
		for _, r := range reservedPaths() {
			if path.HasPrefix(r) || r.HasPrefix(path) {
				return reservedError(m.Package.Path, r, name(path))
			}
		}
		if err := checkHookRule(m.Package.Path, rule, path); err != nil {
			return err
		}
	}
	return nil
}

// checkHookRule refuses a rule that overlaps a hook set without being a
// multi-value rule exactly at it: such a rule would turn the set into
// something else (an object, a boolean) the decision reads differently.
func checkHookRule(pkg ast.Ref, rule *ast.Rule, path ast.Ref) error {
	for _, h := range hookRefs {
		if !path.HasPrefix(h) && !h.HasPrefix(path) {
			continue
		}
		if !path.Equal(h) || len(rule.Head.Args) > 0 || rule.Head.RuleKind() != ast.MultiValue {
			return fmt.Errorf("%w: package %s: rule %s: %s must be declared as a set, `%s contains ... if ...`, in package %s",
				ErrReservedPackage, name(pkg), name(rule.Ref()), name(h), string(h[len(h)-1].Value.(ast.String)), HooksPackage)
		}
	}
	return nil
}

func reservedError(pkg, r ast.Ref, rule string) error {
	what, where := "package "+name(pkg), "package "+name(r)
	if rule != "" {
		what += ": rule " + rule
	}
	for _, d := range dataRoots {
		if r.Equal(d) {
			where = "the data document " + name(r)
		}
	}
	return fmt.Errorf("%w: %s is inside %s, which belongs to the built-in model; custom policies change decisions only through package %s",
		ErrReservedPackage, what, where, HooksPackage)
}

// name renders a data ref without its "data." prefix.
func name(r ast.Ref) string { return strings.TrimPrefix(r.String(), "data.") }

// hasHooks reports whether a custom module of the compiled set declares
// hook rules, which the Rego decision consults and the native one does not.
func hasHooks(c *ast.Compiler) bool {
	for path, m := range c.Modules {
		if !strings.HasPrefix(path, customPrefix) {
			continue
		}
		for _, rule := range m.Rules {
			if p := rule.Path(); p.Equal(denyHook) || p.Equal(allowHook) {
				return true
			}
		}
	}
	return false
}
