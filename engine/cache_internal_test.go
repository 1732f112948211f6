package engine

import (
	"strings"
	"testing"
)

func TestCacheKeyUnambiguous(t *testing.T) {
	pairs := [][2]Input{
		{{User: "u", Resource: "acct", Permission: "read\x00x"}, {User: "u", Resource: "acct\x00read", Permission: "x"}},
		{{User: "a\x00", Resource: "r", Permission: "p"}, {User: "a", Installation: "\x00", Resource: "r", Permission: "p"}},
		{{User: "u1", Resource: "r", Permission: "p"}, {User: "u", Resource: "1r", Permission: "p"}},
		{{User: "u", Resource: "r", Permission: "p1"}, {User: "u", Resource: "r", Permission: "p"}},
		{{User: "a:b", Resource: "r", Permission: "p"}, {App: "a:b", Resource: "r", Permission: "p"}},
		{{App: "a:b", Tenant: "t1", Resource: "r", Permission: "p"}, {App: "a:b", Tenant: "t2", Resource: "r", Permission: "p"}},
		{{App: "a:b", Tenant: "t", Resource: "r", Permission: "p"}, {Installation: "a:b", Tenant: "t", Resource: "r", Permission: "p"}},
	}
	for _, p := range pairs {
		if cacheKey(p[0], 1) == cacheKey(p[1], 1) {
			t.Errorf("%+v and %+v share a cache key", p[0], p[1])
		}
	}
	if cacheKey(pairs[3][1], 1) == cacheKey(pairs[3][1], 11) {
		t.Error("revisions 1 and 11 share a cache key")
	}
}

// FuzzCacheKey: two questions share a key exactly when their canonical
// forms (URI without outer slashes, action lower-cased) and revisions are
// equal, whatever bytes they hold.
func FuzzCacheKey(f *testing.F) {
	f.Add("u", "", "acct", "read\x00x", uint64(1), "u", "", "acct\x00read", "x", uint64(1))
	f.Add("u", "i", "/a/", "READ", uint64(2), "u", "i", "a", "read", uint64(2))
	f.Fuzz(func(t *testing.T, u1, i1, r1, p1 string, v1 uint64, u2, i2, r2, p2 string, v2 uint64) {
		a := Input{User: u1, Installation: i1, Resource: r1, Permission: p1}
		b := Input{User: u2, Installation: i2, Resource: r2, Permission: p2}
		same := canonical(a) == canonical(b) && v1 == v2
		if (cacheKey(a, v1) == cacheKey(b, v2)) != same {
			t.Fatalf("%q@%d and %q@%d: keys equal %v, canonical forms equal %v", a, v1, b, v2, !same, same)
		}
	})
}

func canonical(in Input) [4]string {
	uri := strings.TrimSuffix(strings.TrimPrefix(in.Resource, "/"), "/")
	return [4]string{in.User, in.Installation, uri, strings.ToLower(in.Permission)}
}
