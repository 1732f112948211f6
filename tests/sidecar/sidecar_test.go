package sidecar

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

func TestSidecarMatchesGatehouse(t *testing.T) {
	const users = 300
	_, uri := testkit.StoreWith(t, datagen.Snapshot(users, 11))
	g := testkit.StartOn(t, uri)
	opa := testkit.StartSidecar(t, g.Base, testkit.SidecarOptions{Resource: "/v1/bundles/gatehouse"})
	testkit.Until(t, 60*time.Second, "sidecar activates the bundle", opa.Healthy)

	queries := datagen.MixedQueries(users, 600, 5)
	allowed := 0
	for i, q := range queries {
		in := q.Map()
		want, got := g.Decide(in), opa.Decide(in)
		if diff := cmp.Diff(want, got, testkit.SameAnswer); diff != "" {
			t.Fatalf("check %d %v: gatehouse vs sidecar (-gatehouse +sidecar):\n%s", i, in, diff)
		}
		if want.Allowed {
			allowed++
		}
	}
	t.Logf("%d checks equal on gatehouse and the sidecar (%d allowed)", len(queries), allowed)
	if allowed == 0 || allowed == len(queries) {
		t.Fatalf("degenerate check set: %d of %d allowed", allowed, len(queries))
	}

	// A write reaches the sidecar through long polling.
	in := map[string]string{"user": "newcomer", "resource": "accounts/acme/chats/x", "permission": "chats:read"}
	g.JSON(http.MethodPut, "/v1/roles/chat-reader", map[string]any{"name": "r", "permissions": []map[string]string{{"action": "chats:read"}}}, http.StatusCreated, nil)
	start := time.Now()
	g.JSON(http.MethodPut, "/v1/records/newcomer", testkit.GrantRecord("x", "newcomer"), http.StatusCreated, nil)
	took := testkit.Until(t, 10*time.Second, "sidecar sees the write", func() bool { return opa.Decide(in).Allowed })
	t.Logf("write → sidecar answers the new way in %v (long polling; poll delay 1-2 s)", took)
	_ = start
}

func TestBundleNotModifiedBuildsNothing(t *testing.T) {
	_, uri := testkit.StoreWith(t, testkit.DemoSnapshot(t))
	var srv *server.Server
	g := testkit.StartOn(t, uri)
	srv = g.Srv
	resp := getBundle(t, g.Base+"/v1/bundles/gatehouse", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		t.Fatalf("first GET: %d etag %q", resp.StatusCode, etag)
	}
	builds := srv.Bundles.Builds()
	resp = getBundle(t, g.Base+"/v1/bundles/gatehouse", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified || srv.Bundles.Builds() != builds {
		t.Fatalf("If-None-Match: %d, builds %d → %d", resp.StatusCode, builds, srv.Bundles.Builds())
	}
	// Long poll: a write during the wait answers with the new bundle.
	done := make(chan *http.Response, 1)
	go func() {
		done <- getBundle(t, g.Base+"/v1/bundles/gatehouse", map[string]string{"If-None-Match": etag, "Prefer": "modes=snapshot;wait=10"})
	}()
	time.Sleep(200 * time.Millisecond)
	g.JSON(http.MethodPut, "/v1/tenants/t-new", map[string]string{"name": "new"}, http.StatusCreated, nil)
	resp = <-done
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag || resp.Header.Get("Content-Type") != "application/vnd.openpolicyagent.bundles" {
		t.Fatalf("long poll: %d etag %q type %q", resp.StatusCode, resp.Header.Get("ETag"), resp.Header.Get("Content-Type"))
	}
	if code, _ := g.Do(http.MethodGet, "/v1/bundles/tenants/nope", nil); code != http.StatusNotFound {
		t.Errorf("unknown tenant bundle: %d", code)
	}
	// A custom policy goes into the bundle, under a root the manifest names.
	g.JSON(http.MethodPut, "/v1/policies/extra", map[string]string{"source": "package extra.rules\n\nanswer := 42\n"}, http.StatusCreated, nil)
	entries := bundleEntries(t, getBundle(t, g.Base+"/v1/bundles/gatehouse", nil).Body)
	var manifest struct{ Roots []string }
	if err := json.Unmarshal(entries["/.manifest"], &manifest); err != nil {
		t.Fatal(err)
	}
	if _, ok := entries["/custom/extra.rego"]; !ok || !strings.Contains(strings.Join(manifest.Roots, ","), "extra") {
		t.Errorf("custom policy missing from the bundle: roots %v", manifest.Roots)
	}
}

func TestTenantBundle(t *testing.T) {
	_, uri := testkit.StoreWith(t, tenantSnapshot())
	g := testkit.StartOn(t, uri)
	resp := getBundle(t, g.Base+"/v1/bundles/tenants/t1", nil)
	data := bundleData(t, resp.Body)
	if strings.Contains(data, "rec-t2") || !strings.Contains(data, "rec-t1") || !strings.Contains(data, "rec-all") {
		t.Fatalf("tenant bundle data: %s", data)
	}
	opa := testkit.StartSidecar(t, g.Base, testkit.SidecarOptions{Resource: "/v1/bundles/tenants/t1"})
	testkit.Until(t, 60*time.Second, "tenant sidecar activates", opa.Healthy)
	for _, user := range []string{"ann", "bea", "cid"} {
		for _, res := range []string{"tenants/t1", "tenants/t1/docs/9", "tenants/t1/x"} {
			in := map[string]string{"user": user, "resource": res, "permission": "docs:read"}
			if diff := cmp.Diff(g.Decide(in), opa.Decide(in), testkit.SameAnswer); diff != "" {
				t.Errorf("%v (-gatehouse +sidecar):\n%s", in, diff)
			}
		}
	}
}

func TestSignedBundle(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, uri := testkit.StoreWith(t, testkit.DemoSnapshot(t))
	g := testkit.StartOn(t, uri, func(c *server.Config) {
		c.BundleSigning = &bundles.Signing{Key: privatePEM(key), Algorithm: "RS256", KeyID: "gatehouse"}
	})
	if files := bundleFiles(t, getBundle(t, g.Base+"/v1/bundles/gatehouse", nil).Body); !files["/.signatures.json"] {
		t.Fatalf("no .signatures.json in %v", files)
	}
	good := testkit.StartSidecar(t, g.Base, testkit.SidecarOptions{Resource: "/v1/bundles/gatehouse", Signing: publicPEM(&key.PublicKey)})
	bad := testkit.StartSidecar(t, g.Base, testkit.SidecarOptions{Resource: "/v1/bundles/gatehouse", Signing: publicPEM(&other.PublicKey)})
	testkit.Until(t, 60*time.Second, "sidecar with the right key activates", good.Healthy)
	in := map[string]string{"user": "alice", "resource": "accounts/acme", "permission": "chats:read"}
	if !good.Decide(in).Allowed {
		t.Fatal("signed bundle answers wrongly")
	}
	time.Sleep(3 * time.Second)
	if bad.Healthy() {
		t.Fatalf("sidecar with the wrong key activated the bundle; logs:\n%s", bad.Logs)
	}
}

// tenantSnapshot holds two tenants' records and one covering all tenants.
func tenantSnapshot() *model.Snapshot {
	rec := func(id, user, uri string) model.Record {
		return model.Record{Meta: model.Meta{ID: id}, Status: "ACTIVE", Users: []model.UserRef{{UserID: user}},
			Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: uri}}}}}
	}
	return &model.Snapshot{
		Roles:   []model.Role{{Meta: model.Meta{ID: "reader"}, Permissions: []model.Permission{{Action: "docs:*"}}}},
		Records: []model.Record{rec("rec-t1", "ann", "tenants/t1/docs"), rec("rec-t2", "bea", "tenants/t2"), rec("rec-all", "cid", "tenants/*/x")},
		Tenants: []model.Tenant{{Meta: model.Meta{ID: "t1"}, Name: "One"}, {Meta: model.Meta{ID: "t2"}, Name: "Two"}},
	}
}

func getBundle(t *testing.T, url string, headers map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return &http.Response{Body: io.NopCloser(strings.NewReader(""))}
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp
}

// bundleEntries reads a gzipped bundle tarball.
func bundleEntries(t *testing.T, body io.Reader) map[string][]byte {
	t.Helper()
	zr, err := gzip.NewReader(body)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name], _ = io.ReadAll(tr)
	}
}

func bundleFiles(t *testing.T, body io.Reader) map[string]bool {
	out := map[string]bool{}
	for name := range bundleEntries(t, body) {
		out[name] = true
	}
	return out
}

func bundleData(t *testing.T, body io.Reader) string {
	return string(bundleEntries(t, body)["/data.json"])
}

func privatePEM(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func publicPEM(k *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
