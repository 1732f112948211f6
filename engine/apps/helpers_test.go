package apps_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/engine/apps"
)

// load decodes and validates a manifest under testdata.
func load(t testing.TB, name string) *apps.Manifest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := apps.DecodeManifest(raw, strings.HasSuffix(name, ".yaml"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if ps := m.Validate(); len(ps) > 0 {
		t.Fatalf("%s: %v", name, ps)
	}
	return m
}

// version makes an app version of a manifest.
func version(m *apps.Manifest, id string) *apps.Version {
	return apps.NewVersion(m.AppID, id, m)
}
