package mongostore

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/engine/model"
)

// ReadFile decodes an export file (JSON, or YAML for .yaml/.yml) shaped
// {"roles": [...], "records": [...], ...}. Unknown fields are errors.
func ReadFile(path string) (*model.Snapshot, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	snap, err := Decode(raw, isYAML(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return snap, nil
}

// Decode decodes an export document from JSON, or from YAML when asYAML
// (through model.YAMLToJSON, the one YAML reader of the product),
// and fills documents' defaults (model.ApplyDefaults), as strictly as the
// API decodes bodies: repeated keys, null or a wrong
// type where a value belongs and unknown fields are errors
// (*model.MalformedError, *model.ShapeError).
func Decode(raw []byte, asYAML bool) (*model.Snapshot, error) {
	var err error
	if asYAML {
		if raw, err = model.YAMLToJSON(raw); err != nil {
			return nil, err
		}
	}
	var snap model.Snapshot
	if err := model.DecodeJSON(raw, &snap); err != nil {
		return nil, err
	}
	for _, c := range model.Collections {
		for _, doc := range snap.Docs(c) {
			model.ApplyDefaults(doc)
		}
	}
	return &snap, nil
}

// WriteFile encodes snap as JSON, or YAML for .yaml/.yml.
func WriteFile(path string, snap *model.Snapshot) error {
	raw, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return err
	}
	if isYAML(path) {
		if raw, err = yaml.JSONToYAML(raw); err != nil {
			return err
		}
	}
	return os.WriteFile(path, raw, 0o640)
}

func isYAML(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}
