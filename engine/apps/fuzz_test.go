package apps_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/engine/model"
)

// FuzzManifest: DecodeManifest refuses only with a MalformedError or a
// ShapeError; a manifest it accepts re-encodes, as JSON and as YAML, to
// one that decodes to the same manifest and validates identically (the
// same problems, or none). Seeds live in testdata/fuzz/FuzzManifest.
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"appId":"platform:x","resources":[{"name":"r","resourcePath":"^/x$","allowedHttpMethods":["GET"],"permissions":[{"action":"x.read","httpMethod":"GET"}]}],"roles":[{"roleName":"v","permissions":["x.read"]}]}`), false)
	f.Add([]byte("appId: platform:x\nrolesRequired: [a:b/c, c]\nuserGroupsRequired: [{groupName: g, roles: [v]}]\n"), true)
	f.Fuzz(func(t *testing.T, raw []byte, asYAML bool) {
		m, err := model.DecodeManifest(raw, asYAML)
		var bad *model.MalformedError
		var shape *model.ShapeError
		switch {
		case errors.As(err, &bad), errors.As(err, &shape):
			return
		case err != nil:
			t.Fatalf("DecodeManifest: %v, want a MalformedError or ShapeError", err)
		}
		problems := m.Validate()
		js, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		ys, err := yaml.JSONToYAML(js)
		if err != nil {
			t.Fatal(err)
		}
		for _, again := range []struct {
			raw    []byte
			asYAML bool
		}{{js, false}, {ys, true}} {
			back, err := model.DecodeManifest(again.raw, again.asYAML)
			if err != nil {
				t.Fatalf("re-encoded %s is refused: %v", again.raw, err)
			}
			if diff := cmp.Diff(m, back, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s decodes differently (-before +after):\n%s", again.raw, diff)
			}
			if diff := cmp.Diff(problems, back.Validate(), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s validates differently (-before +after):\n%s", again.raw, diff)
			}
		}
	})
}
