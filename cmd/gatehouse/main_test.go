package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/loader/mongostore"
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
	snap, err := mongostore.ReadFile(out)
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
	a, err := mongostore.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	b, err := mongostore.ReadFile(again)
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
	tests := [][]string{{"nope"}, {"import"}, {"export"}, {"seed"}, {"serve", "--no-such-flag"}, {"serve", "--addr", "0.0.0.0:9999"}, {"serve", "--sync-interval", "-1s"}, {"serve", "--write-timeout", "-2s"}, {"serve", "--http-read-header-timeout", "-1s"}, {"serve", "--max-concurrent-requests", "-1"}}
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
	fs, p := newFlags("import", io.Discard)
	if err := parse(fs, []string{"--config", cfg, "--data-dir", "/from/flag"}, p); err != nil {
		t.Fatal(err)
	}
	if c := p.store; c.DataDir != "/from/flag" || c.Database != "fromenv" || c.URI != "mongodb://file" {
		t.Errorf("flag > env > file broken: %+v", c)
	}
	if err := os.WriteFile(cfg, []byte("mongo:\n  databse: typo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fs, p = newFlags("import", io.Discard)
	if err := parse(fs, []string{"--config", cfg}, p); err == nil {
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

func TestBundleBuild(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	if code, _, stderr := runCLI(t, "seed", "--demo", "--data-dir", store); code != exitOK {
		t.Fatalf("seed: %s", stderr)
	}
	keyFile := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyFile, []byte(testKeyPEM(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bundle.tar.gz")
	if code, _, stderr := runCLI(t, "bundle", "build", "--data-dir", store, "-o", out, "--tenant", "acme", "--signing-key", keyFile); code != exitOK {
		t.Fatalf("bundle build: %d %s", code, stderr)
	}
	files := tarNames(t, out)
	for _, want := range []string{"/.manifest", "/data.json", "/.signatures.json", "/gatehouse/authz/authz.rego"} {
		if !files[want] {
			t.Errorf("bundle lacks %s: %v", want, files)
		}
	}
	for name := range files {
		if strings.HasSuffix(name, "_test.rego") {
			t.Errorf("bundle carries a test file: %s", name)
		}
	}
	if code, _, _ := runCLI(t, "bundle", "build", "--data-dir", store, "-o", out, "--tenant", "nope"); code != exitUsage {
		t.Errorf("unknown tenant: exit %d, want %d", code, exitUsage)
	}
}

func TestStoreServesMongoDB(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		var out, errOut bytes.Buffer
		done <- run(ctx, []string{"store", "--data-dir", t.TempDir(), "--addr", addr}, &out, &errOut)
	}()
	deadline := time.Now().Add(10 * time.Second)
	var m *mongostore.Store
	var err error
	for time.Now().Before(deadline) {
		if m, err = mongostore.Open(context.Background(), mongostore.Config{URI: "mongodb://" + addr + "/", Timeout: time.Second}, nil); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("store never answered: %v", err)
	}
	defer m.Close(context.Background())
	if _, err := m.Snapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("store exit %d", code)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func tarNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = true
	}
}

func testKeyPEM(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

func TestPolicyTestCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ok_test.rego", "package custom.ok_test\n\nimport data.gatehouse.authz\n\ntest_denies_unknown if not authz.allow with input as {\"user\": \"x\", \"resource\": \"a\", \"permission\": \"p\"}\n")
	code, out, _ := runCLI(t, "test", "../../policies", dir)
	if code != exitOK || !strings.Contains(out, " passed, 0 failed") {
		t.Fatalf("passing tests: exit %d\n%s", code, out)
	}
	write("bad_test.rego", "package custom.bad_test\n\nimport data.gatehouse.authz\n\ntest_wrong if authz.allow with input as {\"user\": \"x\", \"resource\": \"a\", \"permission\": \"p\"}\n")
	if code, out, _ := runCLI(t, "test", dir); code != exitFailure || !strings.Contains(out, "FAIL data.custom.bad_test.test_wrong") {
		t.Fatalf("failing test: exit %d\n%s", code, out)
	}
	write("broken.rego", "package broken\n\nx := \n")
	if code, _, _ := runCLI(t, "test", dir); code != exitCompile {
		t.Fatalf("compile error: exit %d, want %d", code, exitCompile)
	}
}

func TestEvalCommand(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.json")
	if err := os.WriteFile(input, []byte(`{"user": "bob", "resource": "accounts/acme/chats/general", "permission": "chats:delete"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "eval", "data.gatehouse.authz.decision.denied_by", "--input", input, "--data", "demo.yaml")
	if code != exitOK || !strings.Contains(out, `"value": "user"`) {
		t.Fatalf("eval: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, _ := runCLI(t, "eval", "data.gatehouse[", "--data", "demo.yaml"); code != exitFailure {
		t.Errorf("bad query: exit %d", code)
	}
}

// TestStoreAddrIsNotTheServerAddr checks that `gatehouse store` reads its
// own address setting (GATEHOUSE_STORE_ADDR, store.addr), never the HTTP
// server's (GATEHOUSE_ADDR, server.addr).
func TestStoreAddrIsNotTheServerAddr(t *testing.T) {
	httpAddr, storeAddr, fileAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	t.Setenv("GATEHOUSE_ADDR", httpAddr)
	t.Run("env", func(t *testing.T) {
		t.Setenv("GATEHOUSE_STORE_ADDR", storeAddr)
		if got := storeListensOn(t); got != "mongodb://"+storeAddr+"/" {
			t.Errorf("store serves %s, want %s (GATEHOUSE_ADDR is %s)", got, storeAddr, httpAddr)
		}
	})
	t.Run("file", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "gatehouse.yaml")
		body := "server:\n  addr: " + httpAddr + "\nstore:\n  addr: " + fileAddr + "\n"
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := storeListensOn(t, "--config", cfg); got != "mongodb://"+fileAddr+"/" {
			t.Errorf("store serves %s, want %s", got, fileAddr)
		}
	})
	t.Run("serve keeps GATEHOUSE_ADDR", func(t *testing.T) {
		t.Setenv("GATEHOUSE_STORE_ADDR", storeAddr)
		fs, p := newFlags("serve", io.Discard)
		if err := parse(fs, nil, p); err != nil {
			t.Fatal(err)
		}
		if p.serve.Addr != httpAddr {
			t.Errorf("serve addr %q, want %q", p.serve.Addr, httpAddr)
		}
	})
}

// storeListensOn runs `gatehouse store` with args until it reports the
// URI it serves, stops it and returns that URI.
func storeListensOn(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		var errOut bytes.Buffer
		done <- run(ctx, append([]string{"store", "--data-dir", t.TempDir()}, args...), out, &errOut)
	}()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if line := out.String(); strings.Contains(line, "\n") {
			uri, _, _ := strings.Cut(strings.TrimPrefix(line, "embedded store serving "), " from ")
			return uri
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("store exited %d before serving", code)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("store did not start within 10s")
	return ""
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestHTTPSettingsFromEnv(t *testing.T) {
	t.Setenv("GATEHOUSE_HTTP_IDLE_TIMEOUT", "-5s")
	code, _, stderr := runCLI(t, "serve", "--data-dir", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "http idle timeout") {
		t.Errorf("exit %d, want %d naming the idle timeout: %s", code, exitUsage, stderr)
	}
}

// TestExitCodes holds each outcome to its own code, like OPA's: a script
// must tell a wrong call (64) from a policy that does not compile (2) and
// from a run that failed (1).
func TestExitCodes(t *testing.T) {
	seen := map[int]string{}
	for name, code := range map[string]int{"ok": exitOK, "failure": exitFailure, "compile": exitCompile, "usage": exitUsage} {
		if other, ok := seen[code]; ok {
			t.Errorf("%s and %s share exit code %d", name, other, code)
		}
		seen[code] = name
	}
	tests := []struct {
		name  string
		files map[string]string // written to a fresh dir, named by {dir} in args
		env   map[string]string
		args  []string
		want  int
	}{
		{name: "help", args: []string{"serve", "--help"}, want: exitOK},
		{name: "unknown command", args: []string{"nope"}, want: exitUsage},
		{name: "unknown flag", args: []string{"test", "--no-such-flag"}, want: exitUsage},
		{name: "missing argument", args: []string{"import"}, want: exitUsage},
		{name: "bad env value", env: map[string]string{"GATEHOUSE_MONGO_TIMEOUT": "soon"}, args: []string{"export", "--data-dir", "{dir}/store", "{dir}/out.json"}, want: exitUsage},
		{name: "unknown config key", files: map[string]string{"c.yaml": "mongo:\n  databse: typo\n"}, args: []string{"export", "--config", "{dir}/c.yaml", "{dir}/out.json"}, want: exitUsage},
		{name: "invalid setting", args: []string{"serve", "--decision-cache-size", "-1"}, want: exitUsage},
		{name: "invalid store setting", args: []string{"export", "--mongo-timeout", "-1s", "{dir}/out.json"}, want: exitUsage},
		{name: "policy does not parse", files: map[string]string{"p.rego": "package p\n\nx := \n"}, args: []string{"test", "{dir}"}, want: exitCompile},
		{name: "policy does not compile", files: map[string]string{"p.rego": "package p\n\nx if no_such_function(1)\n"}, args: []string{"test", "{dir}"}, want: exitCompile},
		{name: "test fails", files: map[string]string{"p_test.rego": "package p_test\n\ntest_fails if false\n"}, args: []string{"test", "{dir}"}, want: exitFailure},
		{name: "import of a missing file", args: []string{"import", "--data-dir", "{dir}/store", "{dir}/missing.yaml"}, want: exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "{dir}", dir)
			}
			if code, _, stderr := runCLI(t, args...); code != tt.want {
				t.Errorf("%v: exit %d, want %d: %s", tt.args, code, tt.want, stderr)
			}
		})
	}
}
