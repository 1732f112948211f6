// Package properties holds the randomized property tests: the escalation
// properties of on-behalf writes (-escalation.cases,
// GATEHOUSE_PROPERTY_CASES) and the raw-body differential between
// /v1/authorize, its batch and the Rego entrypoint (GATEHOUSE_DIFF_CASES).
package properties
