package model

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on resource URIs (SPEC section 3), actions and ids. Actions count
// characters, as the Rego's match.valid_action does.
const (
	MaxURIBytes    = 512
	MaxURISegments = 32
	MaxActionChars = 256
	MaxIDBytes     = 512
)

// Errors returned by the parsers; wrapped with detail.
var (
	ErrEmptySegment = errors.New("empty segment")
	ErrDotSegment   = errors.New(`"." or ".." segment`)
	ErrTooLong      = errors.New("too long")
	ErrTooDeep      = errors.New("too many segments")
	ErrControlChar  = errors.New("control character")
	ErrInvalidUTF8  = errors.New("invalid UTF-8")
	ErrEmpty        = errors.New("empty")
)

// CheckText refuses invalid UTF-8 and control characters (Unicode class
// Cc: U+0000–U+001F and U+007F–U+009F). The Rego's match.valid_text is the
// same rule; ids, user ids, URIs and actions all pass it.
func CheckText(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return fmt.Errorf("%w U+%04X at byte %d", ErrControlChar, c, i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Errorf("%w at byte %d", ErrInvalidUTF8, i)
		}
		if unicode.Is(unicode.Cc, r) {
			return fmt.Errorf("%w U+%04X at byte %d", ErrControlChar, r, i)
		}
		i += size
	}
	return nil
}

// CheckID checks an id or a user, group, role or extension id: not blank,
// at most MaxIDBytes, and valid text.
func CheckID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return ErrEmpty
	case len(id) > MaxIDBytes:
		return fmt.Errorf("%d bytes: %w (limit %d)", len(id), ErrTooLong, MaxIDBytes)
	}
	return CheckText(id)
}

// TrimURI drops one leading and one trailing "/": the one rewriting a
// resource URI gets before it is checked (NormalizeURI) or compared.
func TrimURI(uri string) string { return strings.TrimSuffix(strings.TrimPrefix(uri, "/"), "/") }

// FoldAction folds an action's case: actions compare case-insensitively.
func FoldAction(action string) string { return strings.ToLower(action) }

// NormalizeURI drops one leading and one trailing "/" and checks the
// limits: no empty, "." or ".." segment, valid text.
func NormalizeURI(uri string) (string, error) {
	if len(uri) > MaxURIBytes {
		return "", fmt.Errorf("resource URI of %d bytes: %w (limit %d)", len(uri), ErrTooLong, MaxURIBytes)
	}
	if err := CheckText(uri); err != nil {
		return "", fmt.Errorf("resource URI: %w", err)
	}
	uri = TrimURI(uri)
	segments := strings.Split(uri, "/")
	if len(segments) > MaxURISegments {
		return "", fmt.Errorf("resource URI with %d segments: %w (limit %d)", len(segments), ErrTooDeep, MaxURISegments)
	}
	for _, s := range segments {
		switch s {
		case "":
			return "", fmt.Errorf("resource URI %q: %w", uri, ErrEmptySegment)
		case ".", "..":
			return "", fmt.Errorf("resource URI %q: %w", uri, ErrDotSegment)
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
	if err := CheckText(action); err != nil {
		return nil, fmt.Errorf("action: %w", err)
	}
	segments := strings.Split(FoldAction(action), ":")
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
