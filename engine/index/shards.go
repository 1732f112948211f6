package index

import (
	"hash/maphash"
	"maps"
)

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
// building a View nobody reads yet.
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

// set is a set of ids or source keys.
type set map[string]struct{}
