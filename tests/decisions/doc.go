// Package decisions holds the end-to-end tests of the decision API, the
// Authress-style lookups, OPA's Data API and custom hook policies,
// against the fully wired server over the embedded store; rules.yaml
// under testdata is the case file both the native decision and the Rego
// run.
package decisions
