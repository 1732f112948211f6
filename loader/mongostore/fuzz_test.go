package mongostore

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/engine/model"
)

// FuzzImportFile: an import file Decode accepts (JSON or YAML) is written
// back by WriteFile in a form Decode reads to the same snapshot; a file
// it refuses is refused with a MalformedError or a ShapeError only.
func FuzzImportFile(f *testing.F) {
	seeds := []string{
		`{"roles":[{"_id":"r","name":"R","permissions":[{"action":"read:*"}]}],"records":[{"recordId":"rec_1","users":[{"userId":"u"}],"statements":[{"roles":["r"],"resources":[{"resourceUri":"accounts/A"}]}]}]}`,
		`{"groups":[{"_id":"g","name":"G","users":[{"userId":"u"}]}],"groups":[]}`,
		`{"tenants":[{"_id":"t","name":null}]}`,
		"roles:\n  - _id: r\n    _id: s\n",
		"records:\n  - _id: r1\n    status: ACTIVE\n    expiresAt: 2030-01-01T00:00:00Z\n    statements: []\n",
		"installations: [{_id: i, extensionId: e, context: accounts/A, consentedPermissions: [read]}]\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), i >= 3)
	}
	f.Fuzz(func(t *testing.T, raw []byte, asYAML bool) {
		snap, err := Decode(raw, asYAML)
		if err != nil {
			var bad *model.MalformedError
			var shape *model.ShapeError
			if !errors.As(err, &bad) && !errors.As(err, &shape) {
				t.Fatalf("Decode: %T %v, want a MalformedError or ShapeError", err, err)
			}
			return
		}
		for _, name := range []string{"out.json", "out.yaml"} {
			path := filepath.Join(t.TempDir(), name)
			if err := WriteFile(path, snap); err != nil {
				return // a time JSON cannot encode: export refuses it too
			}
			back, err := ReadFile(path)
			if err != nil {
				t.Fatalf("%s of an accepted file is refused: %v", name, err)
			}
			if diff := cmp.Diff(snap, back, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(model.Record{}, "RecordID")); diff != "" {
				t.Fatalf("%s round trip (-decoded +reread):\n%s", name, diff)
			}
		}
	})
}
