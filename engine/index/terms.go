package index

import "github.com/open-policy-agent/opa/v1/ast"

// StringsTerm renders strings as a Rego array.
func StringsTerm(ss []string) *ast.Term {
	terms := make([]*ast.Term, len(ss))
	for i, s := range ss {
		terms[i] = ast.StringTerm(s)
	}
	return ast.ArrayTerm(terms...)
}

func segsTerm(list [][]string) *ast.Term {
	terms := make([]*ast.Term, len(list))
	for i, segs := range list {
		terms[i] = StringsTerm(segs)
	}
	return ast.ArrayTerm(terms...)
}
