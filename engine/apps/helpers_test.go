package apps_test

import (
	"github.com/gatehouse/gatehouse/engine/model"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// load decodes and validates a manifest under testdata.
func load(t testing.TB, name string) *model.Manifest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.DecodeManifest(raw, strings.HasSuffix(name, ".yaml"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if ps := m.Validate(); len(ps) > 0 {
		t.Fatalf("%s: %v", name, ps)
	}
	return m
}

// version makes an app version of a manifest.
func version(m *model.Manifest, id string) *model.AppVersion {
	return model.NewAppVersion(m.AppID, id, m)
}
