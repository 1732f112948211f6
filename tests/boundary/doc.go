// Package boundary holds the bad-input tests: malformed, invalid and oversized
// requests, the boundary holes of issue 10, and slow clients.
package boundary
