// Package bundles builds OPA bundles from the engine's current data and
// policies (whole, or one tenant's share; optionally signed) and serves
// them the way OPA's bundle service API expects: ETags, 304s, long polling.
package bundles

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/gatehouse/gatehouse/engine"
)

// DefaultSigningAlgorithm signs bundles unless told otherwise.
const DefaultSigningAlgorithm = "RS256"

// Signing says how to sign bundles; OPA verifies them with the matching
// public key under the same key id.
type Signing struct {
	Key       string // PEM private key (RS*/ES*/PS*) or shared secret (HS*)
	Algorithm string // default RS256
	KeyID     string // the key id OPA's bundle signing config names
}

// Build writes ex as a gzipped bundle tarball: the modules, data.json with
// the index and revision under gatehouse/, and a .manifest with the
// revision and roots. With tenant set, only data that tenant's resources
// need is kept (see engine.Export.TenantIndex). With signing set, .signatures.json is added.
func Build(ex engine.Export, tenant string, signing *Signing, revision string) ([]byte, error) {
	index := ex.Index
	if tenant != "" {
		index = ex.TenantIndex(tenant)
	}
	b := bundle.Bundle{
		Data: map[string]any{"gatehouse": map[string]any{"index": index, "revision": ex.Revision}},
	}
	roots := []string{"gatehouse"}
	for _, path := range sortedKeys(ex.Modules) {
		src := ex.Modules[path]
		m, err := ast.ParseModuleWithOpts(path, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", path, err)
		}
		b.Modules = append(b.Modules, bundle.ModuleFile{URL: "/" + path, Path: "/" + path, Raw: []byte(src), Parsed: m})
		roots = addRoot(roots, m.Package.Path)
	}
	rv := 1
	b.Manifest = bundle.Manifest{Revision: revision, Roots: &roots, RegoVersion: &rv}
	if signing != nil {
		alg := signing.Algorithm
		if alg == "" {
			alg = DefaultSigningAlgorithm
		}
		if err := b.GenerateSignature(bundle.NewSigningConfig(signing.Key, alg, ""), signing.KeyID, false); err != nil {
			return nil, fmt.Errorf("bundle: sign: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := bundle.NewWriter(&buf).Write(b); err != nil {
		return nil, fmt.Errorf("bundle: write: %w", err)
	}
	return buf.Bytes(), nil
}

// addRoot adds the first segment of a package path (data.x.y → x) unless
// a root already covers it.
func addRoot(roots []string, pkg ast.Ref) []string {
	if len(pkg) < 2 {
		return roots
	}
	first := strings.Trim(pkg[1].String(), `"`)
	for _, r := range roots {
		if r == first {
			return roots
		}
	}
	return append(roots, first)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
