package engine

import (
	"cmp"
	"hash/maphash"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// view is one revision of the decision data in compact Go form. It is
// immutable once published: Apply builds the next view by copying only the
// shards its changes touch, so a reader holds one consistent revision
// without locks.
type view struct {
	rev           uint64
	modules       map[string]string // policy modules by path; shared, never changed
	users         shards[*principal]
	groups        shards[*principal]
	roles         shards[*roleView]
	installations shards[*installationView]
	extensions    shards[*extensionView]
}

// tuple is one grant: who gave it (kind, id), the role and the resource.
// It is filed under a key: the resource, or for a pattern with a "*"
// segment (pattern set) the literal part before the first "*", always a
// prefix of the resource. expires is Unix ns, 0 without expiry. Kept
// small: a store holds one per role and resource of every statement.
type tuple struct {
	id, role, resource string
	expires            int64
	pattern            *[]string // segments of a "*" pattern
	keyLen             uint16    // len(key); URIs have at most 512 bytes
	kind               kind
}

// kind says which collection a grant came from.
type kind uint8

const (
	kindRecord kind = iota
	kindMembership
)

func (k kind) String() string {
	if k == kindMembership {
		return KindMembership
	}
	return KindRecord
}

func (t *tuple) key() string { return t.resource[:t.keyLen] }

// live reports whether the grant is unexpired at now.
func (t *tuple) live(now int64) bool { return t.expires == 0 || now < t.expires }

// source names the document a grant came from.
func (t *tuple) source() string { return sourceKey(t.kind, t.id) }

func sourceKey(k kind, id string) string { return k.String() + "/" + id }

// principal is a user's or group's grants sorted by key (then by source,
// keeping each source's order), and a user's groups. A sorted slice
// rather than a map: most principals hold a handful of grants.
type principal struct {
	grants []tuple
	groups []string
	user   bool // renders a "groups" key
}

func newPrincipal(grants []tuple, groups []string, user bool) *principal {
	slices.SortStableFunc(grants, func(a, b tuple) int {
		return cmp.Or(strings.Compare(a.key(), b.key()), strings.Compare(a.kind.String(), b.kind.String()), strings.Compare(a.id, b.id))
	})
	return &principal{grants: grants, groups: groups, user: user}
}

// at returns the grants filed under key.
func (p *principal) at(key string) []tuple {
	i, _ := slices.BinarySearchFunc(p.grants, key, func(t tuple, k string) int { return strings.Compare(t.key(), k) })
	j := i
	for j < len(p.grants) && p.grants[j].key() == key {
		j++
	}
	return p.grants[i:j]
}

// without copies the grants not from the dropped sources.
func (p *principal) without(dropped set) []tuple {
	out := make([]tuple, 0, len(p.grants))
	for _, t := range p.grants {
		if _, gone := dropped[t.source()]; !gone {
			out = append(out, t)
		}
	}
	return out
}

// roleView is a role as decisions use it: allowed action prefixes
// ("read:"; "" for "*") and allowed patterns with "*" segments.
type roleView struct {
	active     bool
	allows     []string
	allowsWild [][]string
	value      ast.Value // the index entry, rendered once: roles are few
}

type installationView struct {
	extension, status string
	resources         []scopeEntry
	consented         [][]string
}

type scopeEntry struct {
	resource string
	segs     []string
}

type extensionView struct {
	permissions [][]string
	value       ast.Value
}

// shardCount splits each map so a change copies 1/shardCount of it.
const shardCount = 64

var shardSeed = maphash.MakeSeed()

// shards is a map split by key hash; copied shard by shard on change.
type shards[T any] [shardCount]map[string]T

func shardOf(key string) int { return int(maphash.String(shardSeed, key) % shardCount) }

func (s *shards[T]) get(key string) (T, bool) {
	v, ok := s[shardOf(key)][key]
	return v, ok
}

// set adds, replaces or (remove true) deletes entries in place; for
// building a view nobody reads yet.
func (s *shards[T]) set(key string, v T, remove bool) {
	i := shardOf(key)
	if s[i] == nil {
		s[i] = map[string]T{}
	}
	if remove {
		delete(s[i], key)
		return
	}
	s[i][key] = v
}

// with returns a copy with the updates applied (an absent value removes
// the key), sharing every shard the updates do not touch.
func (s *shards[T]) with(updates map[string]T, present func(T) bool) shards[T] {
	out := *s
	copied := [shardCount]bool{}
	for key, v := range updates {
		i := shardOf(key)
		if !copied[i] {
			out[i] = maps.Clone(out[i])
			if out[i] == nil {
				out[i] = map[string]T{}
			}
			copied[i] = true
		}
		if present(v) {
			out[i][key] = v
		} else {
			delete(out[i], key)
		}
	}
	return out
}

// each calls f for every entry.
func (s *shards[T]) each(f func(string, T)) {
	for _, m := range s {
		for k, v := range m {
			f(k, v)
		}
	}
}

func notNil[T any](p *T) bool { return p != nil }
