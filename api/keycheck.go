package api

import (
	"errors"
	"fmt"
)

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
