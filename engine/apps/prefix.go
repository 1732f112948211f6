package apps

import (
	"regexp/syntax"
	"strings"
)

// literalPrefix returns a string every path the pattern matches starts
// with: for a pattern anchored at the start of the text (^ without (?m),
// or \A), the literal text that follows the anchor up to the first
// construct that is not a case-sensitive literal; "" for anything else.
// A shorter prefix than possible is always safe, only slower.
func literalPrefix(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	parts := flatten(re, nil)
	anchored := false
	var b strings.Builder
	for _, p := range parts {
		switch {
		case p.Op == syntax.OpBeginText:
			anchored = true
		case p.Op == syntax.OpEmptyMatch:
		case anchored && p.Op == syntax.OpLiteral && p.Flags&syntax.FoldCase == 0:
			b.WriteString(string(p.Rune))
		default:
			if !anchored {
				return ""
			}
			return b.String()
		}
	}
	if !anchored {
		return ""
	}
	return b.String()
}

// flatten lists the sequence a regexp matches: concatenations and
// capture groups opened up, anything else as one element.
func flatten(re *syntax.Regexp, out []*syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpConcat:
		for _, s := range re.Sub {
			out = flatten(s, out)
		}
		return out
	case syntax.OpCapture:
		return flatten(re.Sub[0], out)
	}
	return append(out, re)
}

// radix is a compressed trie of literal prefixes, each node holding the
// routes whose prefix ends there, ascending.
type radix struct {
	label  string // the edge from the parent
	routes []int32
	first  []byte // first byte of each child's label
	kids   []*radix
}

func (n *radix) child(c byte) int {
	for i, f := range n.first {
		if f == c {
			return i
		}
	}
	return -1
}

func (n *radix) insert(prefix string, id int32) {
	for prefix != "" {
		i := n.child(prefix[0])
		if i < 0 {
			n.first = append(n.first, prefix[0])
			n.kids = append(n.kids, &radix{label: prefix, routes: []int32{id}})
			return
		}
		c := n.kids[i]
		l := commonPrefix(c.label, prefix)
		if l < len(c.label) { // split c's edge at l
			mid := &radix{label: c.label[:l], first: []byte{c.label[l]}, kids: []*radix{c}}
			c.label = c.label[l:]
			n.kids[i] = mid
			c = mid
		}
		n, prefix = c, prefix[l:]
	}
	n.routes = append(n.routes, id)
}

// lookup appends the routes of every prefix of path to out.
func (n *radix) lookup(path string, out []int32) []int32 {
	out = append(out, n.routes...)
	for path != "" {
		i := n.child(path[0])
		if i < 0 || !strings.HasPrefix(path, n.kids[i].label) {
			break
		}
		n, path = n.kids[i], path[len(n.kids[i].label):]
		out = append(out, n.routes...)
	}
	return out
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
