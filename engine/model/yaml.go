package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	yaml3 "go.yaml.in/yaml/v3"
)

// maxAliasNodes bounds the values a YAML document may expand to through
// aliases, so a small document cannot expand to a huge one.
const maxAliasNodes = 1 << 16

// YAMLToJSON converts one YAML 1.2 document to JSON for DecodeJSON. It
// refuses, with a *MalformedError, what the JSON path refuses or cannot
// express: repeated mapping keys (a plain conversion would keep the last
// one), a second document in the stream, non-string mapping keys, merge
// keys, values JSON has no form for (.nan, .inf) and alias expansion past
// maxAliasNodes. YAML 1.2 has no "yes"/"no"/"y"/"on" booleans, and
// timestamps stay the strings they were written as. Decode the result
// with DecodeJSON: nulls, wrong types and unknown fields are its job.
func YAMLToJSON(raw []byte) ([]byte, error) {
	dec := yaml3.NewDecoder(bytes.NewReader(raw))
	var doc yaml3.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, &MalformedError{Message: "malformed YAML: " + err.Error()}
	}
	var extra yaml3.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &MalformedError{Message: "the YAML holds more than one document"}
	}
	v, err := yamlValue(&doc, "", &aliasBudget{left: maxAliasNodes})
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, &MalformedError{Message: "YAML value without a JSON form: " + err.Error()}
	}
	return out, nil
}

// aliasBudget counts the values reached through aliases.
type aliasBudget struct {
	depth, left int
}

func yamlValue(n *yaml3.Node, path string, budget *aliasBudget) (any, error) {
	if budget.depth > 0 {
		if budget.left--; budget.left < 0 {
			return nil, &MalformedError{Message: "the YAML's aliases expand to too many values"}
		}
	}
	switch n.Kind {
	case 0: // an empty stream
		return nil, nil
	case yaml3.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlValue(n.Content[0], path, budget)
	case yaml3.AliasNode:
		budget.depth++
		defer func() { budget.depth-- }()
		return yamlValue(n.Alias, path, budget)
	case yaml3.MappingNode:
		return yamlMapping(n, path, budget)
	case yaml3.SequenceNode:
		arr := make([]any, len(n.Content))
		for i, e := range n.Content {
			var err error
			if arr[i], err = yamlValue(e, fmt.Sprintf("%s[%d]", path, i), budget); err != nil {
				return nil, err
			}
		}
		return arr, nil
	}
	if n.ShortTag() == "!!timestamp" {
		return n.Value, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, &MalformedError{Message: fmt.Sprintf("malformed YAML at %s: %v", where(path), err)}
	}
	return v, nil
}

func yamlMapping(n *yaml3.Node, path string, budget *aliasBudget) (any, error) {
	obj := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		switch {
		case k.Kind != yaml3.ScalarNode || k.ShortTag() == "!!merge":
			return nil, &MalformedError{Message: fmt.Sprintf("%s: mapping keys must be plain strings (no merge keys)", where(path))}
		case k.ShortTag() != "!!str":
			return nil, &MalformedError{Message: fmt.Sprintf("%s: mapping key %q must be a string", where(path), k.Value)}
		}
		field := joinField(path, k.Value)
		if _, dup := obj[k.Value]; dup {
			return nil, &MalformedError{Message: fmt.Sprintf("duplicate key %q", field)}
		}
		v, err := yamlValue(n.Content[i+1], field, budget)
		if err != nil {
			return nil, err
		}
		obj[k.Value] = v
	}
	return obj, nil
}
