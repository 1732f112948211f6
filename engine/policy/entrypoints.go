package policy

import (
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Entrypoints are the Data API paths a caller that may only ask questions
// (the decide scope) can evaluate: the built-in decision rules
// (data.gatehouse.authz.allow and .decision, declared with METADATA
// entrypoint: true), the public rules of data.gatehouse.lookup, and every
// rule or package that a custom policy declares with entrypoint: true —
// and whatever lies inside them. Nothing else: not the raw data
// (data.gatehouse.index), not data or data.gatehouse as a whole, not the
// helpers the entrypoints use.
type Entrypoints struct{ refs []ast.Ref }

// lookupPackage holds the built-in lookups, all of them entrypoints.
var lookupPackage = ast.MustParseRef("data.gatehouse.lookup")

// indexRef is the raw data; no entrypoint may contain it or lie in it.
var indexRef = ast.MustParseRef("data.gatehouse.index")

// EntrypointsOf lists the entrypoints of the modules (path → Rego source)
// a compiler was built from. Policies are compiled without their METADATA,
// so the annotations are read here, once per compile.
func EntrypointsOf(modules map[string]string) (*Entrypoints, error) {
	parsed := make([]*ast.Module, 0, len(modules))
	for path, src := range modules {
		m, err := ast.ParseModuleWithOpts(path, src, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCompile, err)
		}
		parsed = append(parsed, m)
	}
	as, errs := ast.BuildAnnotationSet(parsed)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrCompile, errs)
	}
	var refs []ast.Ref
	for _, m := range parsed {
		if !m.Package.Path.Equal(lookupPackage) || strings.HasPrefix(m.Package.Location.File, customPrefix) {
			continue
		}
		for _, r := range m.Rules {
			if name := r.Head.Ref()[0].String(); !strings.HasPrefix(name, "_") && len(r.Head.Args) == 0 {
				refs = append(refs, r.Path())
			}
		}
	}
	for _, a := range as.Flatten() {
		if a.Annotations != nil && a.Annotations.Entrypoint {
			refs = append(refs, a.Path)
		}
	}
	out := &Entrypoints{}
	for _, ref := range refs {
		if len(ref) > 1 && !ref.HasPrefix(indexRef) && !indexRef.HasPrefix(ref) {
			out.refs = append(out.refs, ref)
		}
	}
	return out, nil
}

// Allows reports whether a Data API path ("/"-separated, as Query takes
// it) is an entrypoint or lies inside one.
func (p *Entrypoints) Allows(path string) bool {
	ref, err := DataRef(path)
	if err != nil {
		return false
	}
	for _, e := range p.refs {
		if ref.HasPrefix(e) {
			return true
		}
	}
	return false
}

// DataRef turns a Data API path ("/"-separated, outer slashes ignored;
// empty for data as a whole) into the reference it names. It fails for an
// empty segment.
func DataRef(path string) (ast.Ref, error) {
	path = strings.Trim(path, "/")
	ref := ast.DefaultRootRef.Copy()
	if path == "" {
		return ref, nil
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" {
			return nil, fmt.Errorf("empty segment in data path %q", path)
		}
		ref = append(ref, ast.StringTerm(seg))
	}
	return ref, nil
}
