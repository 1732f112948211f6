package model

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on resource URIs (SPEC section 3) and actions. Actions count
// characters, as the Rego's match.valid_action does.
const (
	MaxURIBytes    = 512
	MaxURISegments = 32
	MaxActionChars = 256
)

// Errors returned by the parsers; wrapped with detail.
var (
	ErrEmptySegment = errors.New("empty segment")
	ErrTooLong      = errors.New("too long")
	ErrTooDeep      = errors.New("too many segments")
)

// NormalizeURI drops one leading and one trailing "/" and checks the limits.
func NormalizeURI(uri string) (string, error) {
	if len(uri) > MaxURIBytes {
		return "", fmt.Errorf("resource URI of %d bytes: %w (limit %d)", len(uri), ErrTooLong, MaxURIBytes)
	}
	uri = strings.TrimSuffix(strings.TrimPrefix(uri, "/"), "/")
	segments := strings.Split(uri, "/")
	if len(segments) > MaxURISegments {
		return "", fmt.Errorf("resource URI with %d segments: %w (limit %d)", len(segments), ErrTooDeep, MaxURISegments)
	}
	for _, s := range segments {
		if s == "" {
			return "", fmt.Errorf("resource URI %q: %w", uri, ErrEmptySegment)
		}
	}
	return uri, nil
}

// URISegments normalizes uri and splits it into segments.
func URISegments(uri string) ([]string, error) {
	norm, err := NormalizeURI(uri)
	if err != nil {
		return nil, err
	}
	return strings.Split(norm, "/"), nil
}

// ActionSegments lower-cases a requested action and splits it on ":".
func ActionSegments(action string) ([]string, error) {
	if n := utf8.RuneCountInString(action); n > MaxActionChars {
		return nil, fmt.Errorf("action of %d characters: %w (limit %d)", n, ErrTooLong, MaxActionChars)
	}
	segments := strings.Split(strings.ToLower(action), ":")
	for _, s := range segments {
		if s == "" {
			return nil, fmt.Errorf("action %q: %w", action, ErrEmptySegment)
		}
	}
	return segments, nil
}

// PatternSegments parses a permission pattern: the action's segments with
// one trailing "*" dropped, so "read:*" and "read" both become ["read"] and
// "*" becomes [] (implies everything).
func PatternSegments(action string) ([]string, error) {
	segments, err := ActionSegments(action)
	if err != nil {
		return nil, err
	}
	if segments[len(segments)-1] == "*" {
		segments = segments[:len(segments)-1]
	}
	return segments, nil
}

// Covers reports whether pattern segments cover request segments: a prefix
// match where a "*" pattern segment matches exactly one request segment.
// It mirrors gatehouse.match.covers in Rego.
func Covers(pattern, request []string) bool {
	if len(pattern) > len(request) {
		return false
	}
	for i, s := range pattern {
		if s != "*" && s != request[i] {
			return false
		}
	}
	return true
}
