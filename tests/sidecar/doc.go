// Package sidecar holds the tests that run stock OPA as a sidecar pulling
// gatehouse's bundles (plain, per tenant, signed) and compare its
// decisions with gatehouse's.
package sidecar
