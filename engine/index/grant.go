package index

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Grant kinds, as they appear in reasons.
const (
	KindRecord     = "record"
	KindMembership = "membership"
	KindOnboarding = "onboarding"
)

// Grant is one grant: who gave it (Kind, ID), the role and the resource.
// It is filed under a key: the resource, or for a pattern with a "*"
// segment (Pattern set) the literal part before the first "*", always a
// prefix of the resource. Expires is Unix ns, 0 without expiry. Kept
// small: a view holds one per role and resource of every statement.
//
// Rego reads it as the tuple [kind, id, role, resource, expires, pattern?]
// (see Term) through the accessor functions of gatehouse.grants
// (grants.kind(t), grants.role(t), ...); nothing else reads it by position.
type Grant struct {
	ID, Role, Resource string
	Expires            int64
	Pattern            *[]string // segments of a "*" pattern; nil without one
	keyLen             uint16    // len(key); URIs have at most 512 bytes
	Kind               Kind
}

// Kind says which collection a grant came from.
type Kind uint8

// The collections a grant can come from.
const (
	FromRecord Kind = iota
	FromMembership
	FromOnboarding // an app's grant in a tenant, ID the onboarding's
)

func (k Kind) String() string {
	switch k {
	case FromMembership:
		return KindMembership
	case FromOnboarding:
		return KindOnboarding
	}
	return KindRecord
}

// kindOf is the kind of the grants a collection's documents give.
func kindOf(collection string) Kind {
	switch collection {
	case model.Memberships:
		return FromMembership
	case model.Onboardings:
		return FromOnboarding
	}
	return FromRecord
}

// newGrant makes one grant; false when the URI is invalid.
func newGrant(k Kind, id, role, uri string, expires *time.Time) (Grant, bool) {
	segs, err := model.URISegments(uri)
	if err != nil {
		return Grant{}, false
	}
	norm := strings.Join(segs, "/")
	t := Grant{Kind: k, ID: id, Role: role, Resource: norm, keyLen: uint16(len(norm))}
	if expires != nil {
		t.Expires = unixNanos(*expires)
	}
	if star := slices.Index(segs, "*"); star >= 0 {
		t.Pattern = &segs
		t.keyLen = uint16(len(strings.Join(segs[:star], "/")))
	}
	return t, true
}

func (t *Grant) key() string { return t.Resource[:t.keyLen] }

// live reports whether the grant is unexpired at now.
func (t *Grant) live(now int64) bool { return t.Expires == 0 || now < t.Expires }

// source names the document a grant came from.
func (t *Grant) source() string { return sourceKey(t.Kind, t.ID) }

func sourceKey(k Kind, id string) string { return k.String() + "/" + id }

// Segments returns the pattern's segments: Pattern for a "*" pattern,
// else the resource split on "/".
func (t *Grant) Segments() []string {
	if t.Pattern != nil {
		return *t.Pattern
	}
	return strings.Split(t.Resource, "/")
}

// Term renders the grant as the tuple Rego reads through the
// gatehouse.grants accessors: [kind, id, role, resource, expires], with
// the pattern's segments appended for a "*" pattern. A tuple, not an
// object: a view holds millions of them and topdown reads arrays fastest.
func (t *Grant) Term() *ast.Term {
	terms := []*ast.Term{
		ast.InternedTerm(t.Kind.String()), ast.StringTerm(t.ID), ast.StringTerm(t.Role),
		ast.StringTerm(t.Resource), ast.NewTerm(ast.Number(strconv.FormatInt(t.Expires, 10))),
	}
	if t.Pattern != nil {
		terms = append(terms, StringsTerm(*t.Pattern))
	}
	return ast.ArrayTerm(terms...)
}

// unixNanos is t in Unix nanoseconds, clamped to what int64 holds
// (1678 to 2262): earlier times become 1 (long past), later ones the
// maximum (never in practice). UnixNano alone overflows outside that range.
func unixNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, 1)):
		return 1
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}
