package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/loader"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestImportInvalidWritesNothing(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.yaml")
	bad := `
roles:
  - {_id: r1, permissions: [{action: "read::x"}]}
records:
  - _id: rec1
    status: MAYBE
    statements: [{roles: [ghost], resources: [{resourceUri: "a//b"}]}]
tenants:
  - {_id: t1, name: fine}
`
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "store")
	code, _, stderr := runCLI(t, "import", "--data-dir", store, file)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitFailure, stderr)
	}
	for _, want := range []string{"roles/r1: permissions[0].action", "records/rec1: status", "records/rec1: statements[0].resources[0].resourceUri", "records/rec1: statements[0].roles[0]: unknown role"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	out := filepath.Join(dir, "out.json")
	if code, _, stderr := runCLI(t, "export", "--data-dir", store, out); code != exitOK {
		t.Fatalf("export: %d %s", code, stderr)
	}
	snap, err := loader.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(snap.Tenants) + len(snap.Roles) + len(snap.Records); n != 0 {
		t.Errorf("a failed import wrote %d documents", n)
	}
}

func TestSeedExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	exported, again := filepath.Join(dir, "demo.json"), filepath.Join(dir, "again.json")
	steps := [][]string{
		{"seed", "--demo", "--data-dir", first},
		{"export", "--data-dir", first, exported},
		{"import", "--data-dir", second, exported},
		{"export", "--data-dir", second, again},
	}
	for _, args := range steps {
		if code, _, stderr := runCLI(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	a, err := loader.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loader.ReadFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Records) == 0 || len(a.Records) != len(b.Records) || len(a.Roles) != len(b.Roles) || len(a.Installations) != len(b.Installations) {
		t.Fatalf("round trip changed counts: %v vs %v", a.Counts(), b.Counts())
	}
	for i := range a.Records {
		if a.Records[i].ID != b.Records[i].ID || a.Records[i].Name != b.Records[i].Name {
			t.Errorf("record %d: %+v vs %+v", i, a.Records[i], b.Records[i])
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{{"nope"}, {"import"}, {"export"}, {"seed"}, {"serve", "--no-such-flag"}, {"serve", "--addr", "0.0.0.0:9999"}}
	for _, args := range tests {
		if code, _, _ := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gatehouse.yaml")
	if err := os.WriteFile(cfg, []byte("mongo:\n  database: fromfile\n  uri: mongodb://file\nstore:\n  dataDir: /from/file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GATEHOUSE_DATABASE", "fromenv")
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var c commonFlags
	addStoreFlags(fs, &c)
	if err := parse(fs, []string{"--config", cfg, "--data-dir", "/from/flag"}, &c.configFile); err != nil {
		t.Fatal(err)
	}
	if c.dataDir != "/from/flag" || c.database != "fromenv" || c.mongoURI != "mongodb://file" {
		t.Errorf("flag > env > file broken: %+v", c)
	}
	if err := os.WriteFile(cfg, []byte("mongo:\n  databse: typo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fs = pflag.NewFlagSet("t", pflag.ContinueOnError)
	addStoreFlags(fs, &c)
	if err := parse(fs, []string{"--config", cfg}, &c.configFile); err == nil {
		t.Error("unknown config key accepted")
	}
}

func TestLoadKeys(t *testing.T) {
	keys, err := loadKeys("", "svc:0123456789abcdef0123:decide+read, ops:fedcba98765432100123:admin")
	if err != nil || len(keys) != 2 || keys[0].Scopes[1] != "read" || keys[1].Name != "ops" {
		t.Fatalf("keys %+v err %v", keys, err)
	}
	if _, err := loadKeys("", "broken"); err == nil {
		t.Error("malformed GATEHOUSE_API_KEYS accepted")
	}
}
