package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

var update = flag.Bool("update", false, "rewrite the README's settings table from settings")

// TestEveryCommandHasItsSettings runs `gatehouse CMD --help` for every
// command the table names: it lists exactly the flags of CMD's rows, so a
// flag registered outside the table fails here.
func TestEveryCommandHasItsSettings(t *testing.T) {
	cmds := commands()
	for _, cmd := range tableCommands() {
		t.Run(cmd, func(t *testing.T) {
			if _, ok := cmds[strings.Fields(cmd)[0]]; !ok {
				t.Fatalf("settings name %q, which is no command", cmd)
			}
			code, _, stderr := runCLI(t, append(strings.Fields(cmd), "--help")...)
			if code != exitOK {
				t.Fatalf("--help: exit %d, want %d: %s", code, exitOK, stderr)
			}
			var want []string
			for _, s := range settingsOf(cmd) {
				want = append(want, s.flag)
			}
			got := helpFlags.FindAllStringSubmatch(stderr, -1)
			names := make([]string, len(got))
			for i, m := range got {
				names[i] = m[1]
			}
			slices.Sort(want)
			slices.Sort(names)
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("flags in --help (-settings +help):\n%s", diff)
			}
		})
	}
}

// helpFlags matches a flag's line in pflag's usage ("  -o, --output string").
var helpFlags = regexp.MustCompile(`(?m)^\s+(?:-\w, )?--([\w-]+)`)

// TestSettingsFromEnvAndFile sets each row's env var, then its config-file
// key, to a value other than the default, and checks the flag takes it on
// every command that has the row.
func TestSettingsFromEnvAndFile(t *testing.T) {
	for _, s := range settings {
		for _, cmd := range s.in {
			if s.env != "" {
				t.Run(cmd+"/"+s.env, func(t *testing.T) {
					fs, p := newFlags(cmd, io.Discard)
					value := sampleValue(t, fs.Lookup(s.flag))
					t.Setenv(s.env, value)
					checkSetting(t, fs, p, nil, s.flag, value)
				})
			}
			if s.key != "" {
				t.Run(cmd+"/"+s.key, func(t *testing.T) {
					fs, p := newFlags(cmd, io.Discard)
					if fs.Lookup("config") == nil {
						t.Fatalf("%s has key %s but %s takes no --config", s.flag, s.key, cmd)
					}
					value := sampleValue(t, fs.Lookup(s.flag))
					file := writeConfig(t, s.key, value)
					checkSetting(t, fs, p, []string{"--config", file}, s.flag, value)
				})
			}
		}
	}
}

func checkSetting(t *testing.T, fs *pflag.FlagSet, p *params, args []string, name, value string) {
	t.Helper()
	if err := parse(fs, args, p); err != nil {
		t.Fatal(err)
	}
	if got := fs.Lookup(name).Value.String(); got != value {
		t.Errorf("--%s = %q, want %q", name, got, value)
	}
}

// sampleValue returns a valid value for f other than its default.
func sampleValue(t *testing.T, f *pflag.Flag) string {
	t.Helper()
	if f.Name == "config" {
		return writeConfig(t, "mongo.database", "sample")
	}
	v := map[string]string{"string": "sample", "duration": "7m0s", "int": "7", "int64": "7", "bool": "true"}[f.Value.Type()]
	if v == "" || v == f.DefValue {
		t.Fatalf("no sample value for --%s (%s, default %q)", f.Name, f.Value.Type(), f.DefValue)
	}
	return v
}

// writeConfig writes a config file setting the dotted key to value.
func writeConfig(t *testing.T, key, value string) string {
	t.Helper()
	parts := strings.Split(key, ".")
	var b strings.Builder
	for i, part := range parts[:len(parts)-1] {
		b.WriteString(strings.Repeat("  ", i) + part + ":\n")
	}
	b.WriteString(strings.Repeat("  ", len(parts)-1) + parts[len(parts)-1] + ": " + value + "\n")
	file := filepath.Join(t.TempDir(), "gatehouse.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

const (
	readmeTableBegin = "<!-- settings: generated from cmd/gatehouse/settings.go; go test ./cmd/gatehouse -run README -update -->\n"
	readmeTableEnd   = "<!-- end of settings -->\n"
)

// TestREADMESettingsTable holds the README's table of flags, env vars and
// config keys to settings: a flag added without documentation fails here.
func TestREADMESettingsTable(t *testing.T) {
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	before, rest, ok := strings.Cut(readme, readmeTableBegin)
	got, after, ok2 := strings.Cut(rest, readmeTableEnd)
	if !ok || !ok2 {
		t.Fatalf("README lacks the settings table between %q and %q", readmeTableBegin, readmeTableEnd)
	}
	want := settingsMarkdown()
	if *update {
		if err := os.WriteFile(path, []byte(before+readmeTableBegin+want+readmeTableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README's settings table differs from settings.go (-settings +README); run go test ./cmd/gatehouse -run README -update:\n%s", diff)
	}
	if !strings.Contains(readme, apiKeysEnv) {
		t.Errorf("README does not document %s", apiKeysEnv)
	}
}

// settingsMarkdown renders settings as the README's table.
func settingsMarkdown() string {
	var b strings.Builder
	b.WriteString("| flag | commands | env | config key | default | meaning |\n|---|---|---|---|---|---|\n")
	for _, s := range settings {
		fs, _ := newFlags(s.in[0], io.Discard)
		name := "`--" + s.flag + "`"
		if s.short != "" {
			name = "`-" + s.short + "`, " + name
		}
		b.WriteString("| " + strings.Join([]string{name, strings.Join(s.in, ", "), code(s.env), code(s.key), code(fs.Lookup(s.flag).DefValue), s.usage}, " | ") + " |\n")
	}
	return b.String()
}

// code quotes s as code, or returns a dash when it is empty.
func code(s string) string {
	if s == "" {
		return "—"
	}
	return "`" + s + "`"
}

// tableCommands returns every command settings names, once.
func tableCommands() []string {
	var out []string
	for _, s := range settings {
		for _, cmd := range s.in {
			if !slices.Contains(out, cmd) {
				out = append(out, cmd)
			}
		}
	}
	return out
}
