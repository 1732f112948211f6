package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Strict JSON decoding for everything that comes in: request bodies,
// documents and import files. Go's decoder and OPA's parser need not agree
// on a repeated key, a key in other case, or a null where a string
// belongs; DecodeJSON refuses all of them before decoding, so what is
// decoded is exactly what was sent.

// MalformedError is input that is not one well-formed JSON value: a
// syntax error, invalid UTF-8, a repeated key, data after the value.
type MalformedError struct{ Message string }

func (e *MalformedError) Error() string { return e.Message }

// ShapeError lists every field whose JSON type does not fit: null or a
// wrong type where a value belongs, an unknown field.
type ShapeError struct{ Problems []Problem }

func (e *ShapeError) Error() string {
	return fmt.Sprintf("%d field(s) of the wrong type", len(e.Problems))
}

// DecodeJSON decodes raw into out strictly. It returns a *MalformedError
// for input that is not a single well-formed JSON value without repeated
// keys, and a *ShapeError listing every field whose type does not fit
// out's (null is never "absent"; unknown fields, matched case-sensitively,
// are refused). Fields of type any take any value, null included.
func DecodeJSON(raw []byte, out any) error {
	tree, err := ParseJSON(raw)
	if err != nil {
		return err
	}
	if _, isObject := tree.(map[string]any); !isObject && wantsObject(out) {
		return &MalformedError{Message: "the body must be a JSON object"}
	}
	if ps := checkShape(tree, out); len(ps) > 0 {
		return &ShapeError{Problems: ps}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return &MalformedError{Message: "malformed JSON: " + err.Error()}
	}
	return nil
}

// ParseJSON parses one JSON value into maps, slices, strings, bools,
// json.Number and nil, refusing invalid UTF-8, repeated keys and trailing
// data with a *MalformedError.
func ParseJSON(raw []byte) (any, error) {
	if !utf8.Valid(raw) {
		return nil, &MalformedError{Message: "the body is not valid UTF-8"}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &MalformedError{Message: "the body is empty"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := parseValue(dec, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &MalformedError{Message: "the body has data after the JSON value"}
	}
	return v, nil
}

func parseValue(dec *json.Decoder, path string) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(err)
	}
	switch tok {
	case json.Delim('{'):
		return parseObject(dec, path)
	case json.Delim('['):
		return parseArray(dec, path)
	}
	return tok, nil
}

func parseObject(dec *json.Decoder, path string) (any, error) {
	obj := map[string]any{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(err)
		}
		key := tok.(string) // the decoder only yields string keys
		field := joinField(path, key)
		if _, dup := obj[key]; dup {
			return nil, &MalformedError{Message: fmt.Sprintf("duplicate key %q", field)}
		}
		if obj[key], err = parseValue(dec, field); err != nil {
			return nil, err
		}
	}
	_, err := dec.Token() // the closing brace
	return obj, syntaxError(err)
}

func parseArray(dec *json.Decoder, path string) (any, error) {
	arr := []any{}
	for dec.More() {
		v, err := parseValue(dec, fmt.Sprintf("%s[%d]", path, len(arr)))
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
	}
	_, err := dec.Token() // the closing bracket
	return arr, syntaxError(err)
}

func syntaxError(err error) error {
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return &MalformedError{Message: fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, syntax)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &MalformedError{Message: "malformed JSON: unexpected end of input"}
	}
	return &MalformedError{Message: "malformed JSON: " + err.Error()}
}

func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
