package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// API key scopes.
const (
	ScopeDecide  = "decide"
	ScopeRead    = "read"
	ScopeWrite   = "write"
	ScopeAdmin   = "admin"
	ScopeBundles = "bundles"
)

// Scopes lists every scope.
var Scopes = []string{ScopeDecide, ScopeRead, ScopeWrite, ScopeAdmin, ScopeBundles}

// Key is one API key. The admin scope implies every other.
type Key struct {
	Name   string   `json:"name"`
	Secret string   `json:"key"`
	Scopes []string `json:"scopes"`
}

// Validate lists every problem with the key.
func (k Key) Validate() error {
	var errs []error
	if k.Name == "" {
		errs = append(errs, errors.New("key name is required"))
	}
	if len(k.Secret) < 16 {
		errs = append(errs, fmt.Errorf("key %q: the secret must be at least 16 characters", k.Name))
	}
	for _, s := range k.Scopes {
		if !slices.Contains(Scopes, s) {
			errs = append(errs, fmt.Errorf("key %q: unknown scope %q (want %s)", k.Name, s, strings.Join(Scopes, ", ")))
		}
	}
	return errors.Join(errs...)
}

// keyring checks bearer tokens against hashed secrets in constant time.
type keyring struct {
	keys []hashedKey
}

type hashedKey struct {
	name   string
	sum    [sha256.Size]byte
	scopes []string
}

func newKeyring(keys []Key) *keyring {
	kr := &keyring{}
	for _, k := range keys {
		kr.keys = append(kr.keys, hashedKey{name: k.Name, sum: sha256.Sum256([]byte(k.Secret)), scopes: k.Scopes})
	}
	return kr
}

func (kr *keyring) find(token string) (hashedKey, bool) {
	sum := sha256.Sum256([]byte(token))
	var found hashedKey
	ok := false
	for _, k := range kr.keys {
		if subtle.ConstantTimeCompare(sum[:], k.sum[:]) == 1 {
			found, ok = k, true
		}
	}
	return found, ok
}

// has reports whether the key grants scope; admin implies every scope.
func (k hashedKey) has(scope string) bool {
	return slices.Contains(k.scopes, scope) || slices.Contains(k.scopes, ScopeAdmin)
}

// localCaller is every caller when no keys are configured.
var localCaller = hashedKey{name: "local", scopes: []string{ScopeAdmin}}

// authenticate returns the caller's key, or fails the request with 401
// and returns false. With no keys configured every caller is admitted as
// an admin (the server then binds to loopback only).
func (h *handlers) authenticate(c *gin.Context) (hashedKey, bool) {
	if len(h.keys.keys) == 0 {
		return localCaller, true
	}
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || token == "" {
		c.Header("WWW-Authenticate", `Bearer realm="gatehouse"`)
		h.fail(c, newError(http.StatusUnauthorized, CodeUnauthorized, "a bearer API key is required"))
		return hashedKey{}, false
	}
	key, ok := h.keys.find(token)
	if !ok {
		h.fail(c, newError(http.StatusUnauthorized, CodeUnauthorized, "unknown API key"))
		return hashedKey{}, false
	}
	return key, true
}

// require returns middleware admitting callers whose key has scope.
func (h *handlers) require(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		key, ok := h.authenticate(c)
		if !ok {
			return
		}
		if !key.has(scope) {
			h.fail(c, newError(http.StatusForbidden, CodeForbidden, fmt.Sprintf("API key %q lacks the %s scope", key.name, scope)))
			return
		}
		c.Next()
	}
}

// Errors of a ScopeCheck.
var (
	// ErrUnauthenticated: no token, or one no key has.
	ErrUnauthenticated = errors.New("a valid bearer API key is required")
	// ErrScope: the key lacks the scope.
	ErrScope = errors.New("the API key lacks the scope")
)

// ScopeCheck checks a bearer token (without "Bearer ") against keys for
// one scope, as the router's routes do, for servers beside it (the Envoy
// ext_authz server). It returns nil when admitted, an error wrapping
// ErrUnauthenticated for a missing or unknown token and one wrapping
// ErrScope for a key without the scope. With no keys every caller is
// admitted, as on the router (which then listens on loopback only).
func ScopeCheck(keys []Key, scope string) func(token string) error {
	kr := newKeyring(keys)
	return func(token string) error {
		if len(kr.keys) == 0 {
			return nil
		}
		if token == "" {
			return ErrUnauthenticated
		}
		key, ok := kr.find(token)
		switch {
		case !ok:
			return ErrUnauthenticated
		case !key.has(scope):
			return fmt.Errorf("%w: API key %q lacks the %s scope", ErrScope, key.name, scope)
		}
		return nil
	}
}
