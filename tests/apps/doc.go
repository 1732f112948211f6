// Package apps holds the end-to-end tests of apps (SPEC section 6):
// manifests, onboarding to tenants and stacks over HTTP on the embedded
// store, apps as principals and route authorization, against gatehouse
// servers and stock OPA sidecars.
package apps
