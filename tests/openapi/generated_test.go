package openapi

import (
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gatehouse/gatehouse/api"
)

// templateParam is a {param} of a documented path.
var templateParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// generatedCalls are the calls every documented operation answers alike,
// made from the document itself: 401 without a key and 403 with a key
// lacking its scopes (on the keyed server) for each secured operation, and
// 413 for a body over the limit for each operation that takes one.
func generatedCalls(doc *openapi3.T) []call {
	var out []call
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := strings.ToUpper(method) + " " + path
			params := map[string]string{}
			for _, m := range templateParam.FindAllStringSubmatch(path, -1) {
				params[m[1]] = "x"
			}
			if scopes := requiredScopes(doc, op); scopes != nil {
				out = append(out,
					call{name: "no key", op: name, params: params, keyed: true, want: 401, refused: true},
					call{name: "no scope", op: name, params: params, keyed: true, key: keyLacking(scopes), want: 403, refused: true})
			}
			if op.RequestBody != nil {
				big := "[" + strings.Repeat(" ", api.DefaultMaxBodyBytes)
				out = append(out, call{name: "too large", op: name, params: params, body: big, oversize: true, want: 413, refused: true})
			}
		}
	}
	slices.SortFunc(out, func(a, b call) int { return strings.Compare(a.op+a.name, b.op+b.name) })
	return out
}

// requiredScopes lists every scope any of op's security requirements
// names; nil when op needs no key.
func requiredScopes(doc *openapi3.T, op *openapi3.Operation) []string {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	var out []string
	for _, r := range reqs {
		for _, scopes := range r {
			out = append(out, scopes...)
		}
	}
	return out
}

// keyLacking returns a key holding none of scopes.
func keyLacking(scopes []string) string {
	for _, k := range keys {
		if !slices.ContainsFunc(k.Scopes, func(s string) bool { return slices.Contains(scopes, s) || s == api.ScopeAdmin }) {
			return k.Secret
		}
	}
	panic("every key holds one of " + strings.Join(scopes, ", "))
}
