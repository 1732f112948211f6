package properties

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/datagen"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// Apps as principals at the decision boundary: {"app", "tenant"} questions
// over the demo data with datagen's apps onboarded (datagen.Apps).

// appsDemoSnapshot is the demo data plus the generated apps, tenants and
// onboardings.
func appsDemoSnapshot(t testing.TB) *model.Snapshot {
	t.Helper()
	return testkit.DemoSnapshot(t).Merge(datagen.Apps())
}

// appCheck is a decision question for an app in a tenant.
func appCheck(app, tenant, resource, permission string) string {
	return fmt.Sprintf(`{"app":%q,"tenant":%q,"resource":%q,"permission":%q}`, app, tenant, resource, permission)
}

// appAllowed is allowed: app0 holds app1's reader role in t0.
var appAllowed = appCheck("platform:app0", "t0", "tenants/t0/apps/platform:app1/items/1", "items:read")

func appBoundaryCases() []testkit.Case {
	const post = http.MethodPost
	const auth = "/v1/authorize"
	ok := func(name, body string) testkit.Case {
		return testkit.Case{Name: name, Method: post, Path: auth, Body: body, Status: 200}
	}
	bad := func(name, body string, fields ...string) testkit.Case {
		return testkit.Case{Name: name, Method: post, Path: auth, Body: body, Status: 422, Code: "invalid_input", Fields: fields}
	}
	return []testkit.Case{
		ok("app in its tenant", appAllowed),
		ok("app not onboarded", appCheck("platform:app9", "t0", "tenants/t0/apps/platform:app1", "items:read")),
		ok("unknown tenant", appCheck("platform:app0", "nowhere", "tenants/t0/apps/platform:app1", "items:read")),
		{Name: "batch of app checks", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[` + appAllowed + `,` + appAllowed + `]}`, Status: 200, N: 2},
		bad("app without tenant", `{"app":"platform:app0","resource":"tenants/t0","permission":"items:read"}`, "tenant"),
		bad("tenant without app", `{"tenant":"t0","resource":"tenants/t0","permission":"items:read"}`, "app"),
		bad("tenant with a user", `{"user":"alice","tenant":"t0","resource":"tenants/t0","permission":"items:read"}`, "app", "user"),
		bad("app with a user", `{"user":"alice","app":"platform:app0","tenant":"t0","resource":"tenants/t0","permission":"items:read"}`, "user"),
		bad("app with an installation", `{"installation":"summarizer-acme","app":"platform:app0","tenant":"t0","resource":"tenants/t0","permission":"items:read"}`, "installation"),
		bad("null app", `{"app":null,"tenant":"t0","resource":"tenants/t0","permission":"items:read"}`, "app"),
		bad("blank tenant", appCheck("platform:app0", " ", "tenants/t0", "items:read"), "tenant"),
		bad("numeric tenant", `{"app":"platform:app0","tenant":7,"resource":"tenants/t0","permission":"items:read"}`, "tenant"),
		bad("app id not namespace:name", appCheck("Platform:App0", "t0", "tenants/t0", "items:read"), "app"),
		bad("tenant of two segments", appCheck("platform:app0", "t0/apps", "tenants/t0", "items:read"), "tenant"),
		bad("dot-dot tenant", appCheck("platform:app0", "..", "tenants/t0", "items:read"), "tenant"),
		bad("control character in tenant", appCheck("platform:app0", "t0\u0085", "tenants/t0", "items:read"), "tenant"),
		{Name: "batch with a bad app check", Method: post, Path: "/v1/authorize/batch", Body: `{"checks":[` + appAllowed + `,{"app":"platform:app0","resource":"r","permission":"p"}]}`,
			Status: 422, Code: "invalid_input", Fields: []string{"checks[1].tenant"}},
	}
}

func TestAppDecisionBoundary(t *testing.T) {
	g := testkit.Start(t, appsDemoSnapshot(t))
	for _, c := range appBoundaryCases() {
		t.Run(c.Name, func(t *testing.T) {
			status, raw := g.Do(c.Method, c.Path, []byte(c.Body.(string)))
			c.Verify(t, status, raw)
			if c.Path == "/v1/authorize" {
				// The Rego agrees: what the API refuses is invalid_input.
				compareEndpoints(t, g, c.Body.(string), false)
			}
		})
	}
	var d engine.Decision
	g.JSON(http.MethodPost, "/v1/authorize", appAllowed, http.StatusOK, &d)
	want := engine.Reason{Kind: "onboarding", ID: "t0/platform:app0", Role: "platform:app1/reader", Resource: "tenants/t0/apps/platform:app1"}
	if !d.Allowed || len(d.Reasons) != 1 || d.Reasons[0] != want {
		t.Errorf("app in its tenant: %+v, want allowed by %v", d, want)
	}
	g.JSON(http.MethodPost, "/v1/authorize", appCheck("platform:app0", "t0", "tenants/t0/apps/platform:app1", "items:write"), http.StatusOK, &d)
	if d.Allowed || d.DeniedBy == nil || *d.DeniedBy != "app" {
		t.Errorf("app beyond its role: %+v, want denied by app", d)
	}
}

// appFieldValues are raw JSON values for the app and tenant fields.
var appFieldValues = map[string][]string{
	"app": {`"platform:app0"`, `"platform:app1"`, `"platform:app2"`, `"platform:app3"`, `"platform:app9"`, `""`, `" "`, `null`, `1`,
		`"Platform:app0"`, `"platform:app0/x"`, `"platform"`, `"platform:app0\u0000"`, `["platform:app0"]`},
	"tenant": {`"t0"`, `"t1"`, `"t2"`, `"t3"`, `""`, `"."`, `".."`, `"t0/t1"`, `null`, `false`, `"t\u0001"`, `"` + strings.Repeat("t", 513) + `"`, `"é"`},
	"resource": {`"tenants/t0/apps/platform:app1"`, `"tenants/t0/apps/platform:app1/items/3"`, `"/tenants/t1/apps/platform:app2/"`,
		`"tenants/t1/apps/platform:app3"`, `"tenants/t2/apps/platform:app4/items/x"`, `"tenants/t1"`, `"tenants/t0/apps/../x"`, `"tenants/*/apps/platform:app1"`},
	"permission": {`"items:read"`, `"items:write"`, `"ITEMS:DELETE"`, `"items"`, `"items:*"`, `"chats:read"`, `"items::read"`},
}

// randomAppBody builds one raw body of an app question: app, tenant, resource
// and permission, now and then a user or installation too, a key left
// out, an unknown key or a repeated one.
// Most values come from a generated question (datagen.AppQueries), so
// that many bodies are allowed.
func randomAppBody(r *rand.Rand) (body string, dup bool) {
	q := datagen.AppQueries(1, r.Uint64())[0].Map()
	var parts []string
	for _, k := range []string{"app", "tenant", "resource", "permission"} {
		if r.IntN(20) == 0 {
			continue
		}
		v := strconv.Quote(q[k])
		if vs := appFieldValues[k]; r.IntN(8) == 0 {
			v = vs[r.IntN(len(vs))]
		}
		parts = append(parts, fmt.Sprintf("%q:%s", k, v))
	}
	switch r.IntN(14) {
	case 0:
		parts = append(parts, `"user":`+fieldValues["user"][r.IntN(len(fieldValues["user"]))])
	case 1:
		parts = append(parts, `"installation":`+fieldValues["installation"][r.IntN(len(fieldValues["installation"]))])
	case 2:
		parts = append(parts, `"App":"platform:app0"`)
	case 3:
		if len(parts) > 0 {
			parts = append(parts, parts[r.IntN(len(parts))])
			dup = true
		}
	}
	r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return "{" + strings.Join(parts, ",") + "}", dup
}

// TestAppRawBodyDifferential is TestRawBodyDifferential for app
// questions: the API and the Rego agree on every generated body.
func TestAppRawBodyDifferential(t *testing.T) {
	g := testkit.Start(t, appsDemoSnapshot(t))
	seed := rand.Uint64()
	if s := os.Getenv("GATEHOUSE_DIFF_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (GATEHOUSE_DIFF_SEED reruns it)", seed)
	r := rand.New(rand.NewPCG(seed, 2))
	counts, allowed := map[int]int{}, 0
	n := diffCaseCount(t)
	for i := range n {
		body, dup := randomAppBody(r)
		status := compareEndpoints(t, g, body, dup)
		counts[status]++
		if status == http.StatusOK {
			var d engine.Decision
			g.JSON(http.MethodPost, "/v1/authorize", body, http.StatusOK, &d)
			if d.Allowed {
				allowed++
			}
		}
		if t.Failed() {
			t.Fatalf("body %d of %d: %s", i, n, body)
		}
	}
	t.Logf("%d bodies: %d answered (%d allowed), %d refused as invalid (422), %d as malformed (400)", n, counts[200], allowed, counts[422], counts[400])
	if allowed == 0 || allowed == counts[200] || counts[422] == 0 || counts[400] == 0 {
		t.Errorf("the generator must reach every outcome: %v, %d allowed", counts, allowed)
	}
}
