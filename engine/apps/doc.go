// Package apps owns app manifests (SPEC section 6): their model and
// strict decoding, their validation, the compilation of an onboarding
// into core documents, and the matching of HTTP routes to an app's
// resources. It is pure: it imports only engine/model and the standard
// library, never OPA, Gin or the MongoDB driver; the store, the writes
// service, the engine's index and the API call it.
package apps
