// Package console_test drives the operator console (/console) in headless
// Chromium against a real server holding the demo data
// (cmd/gatehouse/demo.yaml): it fills the forms, clicks, and asserts what
// the page shows. It skips when no Chromium is installed (make browser).
package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// hostile is a user id that would run script if the page read it as HTML.
const hostile = `<img src=x onerror=alert(1)>`

// check is one thing the page must show: the text of the first element
// matching sel holds every string of has and none of hasNot.
type check struct {
	sel    string
	has    []string
	hasNot []string
}

// step fills a panel's form, submits it and checks what the page shows.
type step struct {
	name   string
	fill   map[string]string // input id → value; "ask-mode" is a select
	tick   map[string]bool   // checkbox id → checked
	submit string            // the button to click
	area   string            // the result area that settles
	state  string            // "done" or "error"
	checks []check
	count  map[string]int         // selector → how many elements match
	then   func(*testing.T, *tab) // anything more
}

func TestConsole(t *testing.T) {
	exe := chromium(t)
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	var status struct {
		Revision uint64 `json:"revision"`
	}
	g.JSON(http.MethodGet, "/v1/status", nil, http.StatusOK, &status)
	rev := strconv.FormatUint(status.Revision, 10)

	b := openTab(t, exe)
	b.do(t, chromedp.Navigate(g.Base+"/console"), chromedp.WaitReady(chromedp.CSS(`body[data-ready="true"]`)))
	for _, s := range steps(rev) {
		t.Run(s.name, func(t *testing.T) {
			b.run(t, s)
		})
	}
	b.screenshot(t) // every panel filled from the demo data
	t.Run("key", func(t *testing.T) { keyed(t, b, g) })
	if n := b.dialogs.Load(); n > 0 {
		t.Errorf("the page opened %d dialogs: something ran as script", n)
	}
	if n := b.exceptions.Load(); n > 0 {
		t.Errorf("the page threw %d uncaught exceptions", n)
	}
}

// consoleKey is the API key of the keyed server keyed starts.
const consoleKey = "console-test-key-0123456789"

// keyed opens the console of a server that wants API keys: without one a
// panel shows the 401, with the key typed at the top it answers.
func keyed(t *testing.T, b *tab, g *testkit.Gate) {
	k := testkit.StartOn(t, g.URI, func(c *server.Config) {
		c.Keys = []api.Key{{Name: "console", Secret: consoleKey, Scopes: []string{api.ScopeDecide, api.ScopeRead}}}
	})
	b.do(t, chromedp.Navigate(k.Base+"/console"), chromedp.WaitReady(chromedp.CSS(`body[data-ready="true"]`)))
	b.fill(t, "access-user", "alice")
	if got := b.settle(t, "access-result", "access-submit"); got != "error" {
		t.Fatalf("without a key the access map settled %q, want error", got)
	}
	b.verify(t, "#access-result .error-head", check{has: []string{"401", "unauthorized"}})
	b.fill(t, "api-key", consoleKey)
	b.verify(t, "#key-state", check{has: []string{"key set"}})
	if got := b.settle(t, "access-result", "access-submit"); got != "done" {
		t.Fatalf("with the key the access map settled %q, want done", got)
	}
}

func steps(rev string) []step {
	ask := func(name, mode string, fields map[string]string, state string, checks ...check) step {
		fill := map[string]string{"ask-mode": mode}
		for k, v := range fields {
			fill["ask-"+k] = v
		}
		return step{name: name, fill: fill, submit: "ask-submit", area: "ask-result", state: state, checks: checks}
	}
	chat := "accounts/acme/chats/general"
	steps := []step{
		{name: "status", submit: "status-refresh", area: "status-result", state: "done", checks: []check{
			{sel: `[data-field="revision"]`, has: []string{rev}},
			{sel: `[data-field="ready"]`, has: []string{"true"}},
			{sel: `[data-field="documents"]`, has: []string{"records", "roles"}},
			{sel: `[data-field="skipped"]`},
			{sel: `[data-field="sync"]`},
		}},
		ask("ask/allowed", "user", map[string]string{"user": "alice", "resource": chat, "permission": "chats:read"}, "done",
			check{sel: `[data-field="verdict"]`, has: []string{"Allowed"}, hasNot: []string{"Denied"}},
			check{sel: `[data-field="revision"]`, has: []string{rev}},
			check{sel: `[data-field="reasons"]`, has: []string{"acme-admins", "account-admin", "accounts/acme"}},
			check{sel: `[data-field="denied_by"]`, has: []string{"—"}}),
		ask("ask/denied", "user", map[string]string{"user": "bob", "resource": chat, "permission": "chats:delete"}, "done",
			check{sel: `[data-field="verdict"]`, has: []string{"Denied"}},
			check{sel: `[data-field="denied_by"]`, has: []string{"user"}},
			check{sel: `[data-field="reasons"]`, has: []string{"no reasons"}}),
		ask("ask/consent", "user+installation", map[string]string{"user": "alice", "installation": "summarizer-acme", "resource": chat, "permission": "chats:write"}, "done",
			check{sel: `[data-field="verdict"]`, has: []string{"Denied"}},
			check{sel: `[data-field="denied_by"]`, has: []string{"consent"}},
			check{sel: `[data-field="question"]`, has: []string{"user alice, installation summarizer-acme"}}),
		ask("ask/app", "app+tenant", map[string]string{"app": "platform:participants", "tenant": "acme", "resource": "tenants/acme/apps/platform:directory", "permission": "directory.read"}, "done",
			check{sel: `[data-field="question"]`, has: []string{"app platform:participants, tenant acme"}, hasNot: []string{"user"}},
			check{sel: `[data-field="denied_by"]`, has: []string{"app"}}),
		ask("ask/invalid", "user", map[string]string{"user": " ", "resource": "accounts/acme/../globex", "permission": ""}, "error",
			check{sel: `.error-head`, has: []string{"422", "invalid_input"}},
			check{sel: `.problems`, has: []string{"user:", "resource:", "permission:"}}),
		ask("ask/hostile_user", "user", map[string]string{"user": hostile, "resource": chat, "permission": "chats:read"}, "done",
			check{sel: `[data-field="question"]`, has: []string{"user " + hostile}},
			check{sel: `[data-field="verdict"]`, has: []string{"Denied"}}),
		ask("ask/explain_path", "user", map[string]string{"user": "alice", "resource": chat, "permission": "chats:read"}, "done",
			check{sel: `.paths`, has: []string{"alice", "acme-admins", "account-admin", "accounts/acme"}},
			check{sel: `.paths [data-step="record"]`, has: []string{"acme-admins"}}),
		ask("ask/near_miss", "user", map[string]string{"user": "bob", "resource": chat, "permission": "chats:delete"}, "done",
			check{sel: `[data-field="verdict"]`, has: []string{"Denied"}},
			check{sel: `.near-miss[data-reason="action"]`, has: []string{"chats:read", "acme-general-chat"}}),
		ask("ask/extension_sides", "user+installation", map[string]string{"user": "alice", "installation": "summarizer-acme", "resource": chat, "permission": "chats:write"}, "done",
			check{sel: `.extension`, has: []string{"scope", "consent", "chats:read"}},
			check{sel: `.extension [data-key="scope"]`, has: []string{"accounts/acme"}},
			check{sel: `.extension [data-key="consented"]`, has: []string{"chats:read"}, hasNot: []string{"chats:write"}},
			check{sel: `.near-miss[data-reason="consent"]`, has: []string{"summarizer-acme", "acme-admins"}}),
		{name: "access/hostile_user", fill: map[string]string{"access-user": hostile}, submit: "access-submit", area: "access-result", state: "done", checks: []check{
			{sel: `[data-field="user"]`, has: []string{hostile}},
		}},
		{name: "access/tree", fill: map[string]string{"access-user": "alice"}, submit: "access-submit", area: "access-result", state: "done", checks: []check{
			{sel: `[data-path="accounts"] > .node-name`, has: []string{"accounts"}},
			{sel: `[data-path="accounts/acme"]`, has: []string{"acme-admins", "account-admin"}},
			{sel: `[data-path="accounts/acme/chats/general"]`, has: []string{"acme-general-chat", "acme-staff", "chat-reader", "chats:read"}},
		}},
		{name: "who/invalid", fill: map[string]string{"who-resource": chat, "who-permission": "", "who-limit": "0"}, tick: map[string]bool{"who-grant": false},
			submit: "who-submit", area: "who-result", state: "error", checks: []check{
				{sel: `.error-head`, has: []string{"422", "invalid_input"}},
				{sel: `.problems`, has: []string{"permission", "limit"}},
			}, count: map[string]int{"#who-more:not([hidden])": 0}},
		{name: "who/rows", fill: map[string]string{"who-resource": chat, "who-permission": "chats:read", "who-limit": ""}, tick: map[string]bool{"who-grant": false},
			submit: "who-submit", area: "who-result", state: "done", checks: []check{
				{sel: `tr[data-user="bob"]`, has: []string{"acme-staff", "acme-general-chat", "chat-reader"}},
				{sel: `tr[data-user="dan"]`, has: []string{"acme-any-chat-for-dan", "accounts/*/chats"}},
				{sel: `tr[data-user="alice"]`, has: []string{"acme-admins"}},
			}, count: map[string]int{"tr.who-row": 3, "#who-more:not([hidden])": 0}},
		{name: "who/may_grant", fill: map[string]string{"who-resource": chat, "who-permission": "chats:read", "who-limit": ""}, tick: map[string]bool{"who-grant": true},
			submit: "who-submit", area: "who-result", state: "done", checks: []check{
				{sel: `tr[data-user="alice"]`, has: []string{"acme-admins", "account-admin"}},
			}, count: map[string]int{"tr.who-row": 1, `tr[data-user="bob"]`: 0}},
		{name: "who/more", fill: map[string]string{"who-resource": chat, "who-permission": "chats:read", "who-limit": "1"}, tick: map[string]bool{"who-grant": false},
			submit: "who-submit", area: "who-result", state: "done",
			count: map[string]int{"tr.who-row": 1, "#who-more:not([hidden])": 1}, then: pageThrough},
	}
	return steps
}

// pageThrough clicks "More" until it hides, a row more each time.
func pageThrough(t *testing.T, b *tab) {
	for want := 2; want <= 3; want++ {
		b.settle(t, "who-result", "who-more")
		if got := b.count(t, "tr.who-row"); got != want {
			t.Fatalf("after More: %d rows, want %d", got, want)
		}
	}
	if got := b.count(t, "#who-more:not([hidden])"); got != 0 {
		t.Errorf("More is still shown after the last page")
	}
}

// tab is one browser tab and what it reported.
type tab struct {
	ctx        context.Context
	dialogs    atomic.Int64
	exceptions atomic.Int64
}

// chromium returns the browser to drive, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("no Chromium: install it with `make browser` (Debian: apt-get install -y --no-install-recommends chromium)")
	return ""
}

// openTab starts headless Chromium with a fresh profile and the flags a
// closed network needs, and watches for dialogs and uncaught exceptions.
func openTab(t *testing.T, exe string) *tab {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1400, 1000),
		chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	b := &tab{ctx: bctx}
	dialogs := chromedp.Events(bctx, page.JavascriptDialogOpening)
	exceptions := chromedp.Events(bctx, runtime.ExceptionThrown)
	go func() { // count dialogs and dismiss them, so one cannot hang the test
		for _, err := range dialogs {
			if err != nil {
				return
			}
			b.dialogs.Add(1)
			_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			b.exceptions.Add(1)
			if ev.ExceptionDetails != nil {
				t.Logf("page exception: %s", ev.ExceptionDetails.Text)
			}
		}
	}()
	return b
}

func (b *tab) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// run fills, submits, waits and checks one step.
func (b *tab) run(t *testing.T, s step) {
	t.Helper()
	for id, v := range s.fill {
		b.fill(t, id, v)
	}
	for id, on := range s.tick {
		if b.eval(t, fmt.Sprintf(`document.getElementById(%q).checked`, id)) != strconv.FormatBool(on) {
			b.do(t, chromedp.Click(chromedp.ID(id)))
		}
	}
	if got := b.settle(t, s.area, s.submit); got != s.state {
		t.Fatalf("%s settled %q, want %q; it shows: %s", s.area, got, s.state, b.text(t, "#"+s.area))
	}
	for _, c := range s.checks {
		b.verify(t, "#"+s.area+" "+c.sel, c)
	}
	for sel, want := range s.count {
		if got := b.count(t, sel); got != want {
			t.Errorf("%s: %d elements, want %d; the panel shows: %s", sel, got, want, b.text(t, "#"+s.area))
		}
	}
	if got := b.count(t, "img"); got != 0 {
		t.Errorf("the page holds %d <img> elements: text was read as HTML", got)
	}
	if s.then != nil {
		s.then(t, b)
	}
}

// fill sets a field's value as typing or choosing would, with the input
// and change events the page listens to.
func (b *tab) fill(t *testing.T, id, value string) {
	t.Helper()
	got := b.eval(t, fmt.Sprintf(`(() => { const n = document.getElementById(%s); n.value = %s;
		n.dispatchEvent(new Event('input', {bubbles: true})); n.dispatchEvent(new Event('change', {bubbles: true})); return n.value })()`,
		jsString(id), jsString(value)))
	if got != value {
		t.Fatalf("#%s holds %q after filling in %q", id, got, value)
	}
}

// settle clears the area's state, clicks, and waits for it to settle.
func (b *tab) settle(t *testing.T, area, button string) string {
	t.Helper()
	b.eval(t, fmt.Sprintf(`delete document.getElementById(%q).dataset.state`, area))
	b.do(t, chromedp.Click(chromedp.ID(button)),
		chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`#%s:is([data-state="done"], [data-state="error"])`, area))))
	return b.eval(t, fmt.Sprintf(`document.getElementById(%q).dataset.state`, area))
}

func (b *tab) verify(t *testing.T, sel string, c check) {
	t.Helper()
	got := b.text(t, sel)
	if got == "\x00" {
		t.Errorf("%s: no such element on the page", sel)
		return
	}
	for _, s := range c.has {
		if !strings.Contains(got, s) {
			t.Errorf("%s shows %q, want it to hold %q", sel, got, s)
		}
	}
	for _, s := range c.hasNot {
		if strings.Contains(got, s) {
			t.Errorf("%s shows %q, want it without %q", sel, got, s)
		}
	}
}

// text is the text of the first element matching sel, "\x00" when none.
func (b *tab) text(t *testing.T, sel string) string {
	t.Helper()
	return b.eval(t, fmt.Sprintf(`(() => { const n = document.querySelector(%s); return n ? n.textContent : "\x00" })()`, jsString(sel)))
}

func (b *tab) count(t *testing.T, sel string) int {
	t.Helper()
	n, err := strconv.Atoi(b.eval(t, fmt.Sprintf(`String(document.querySelectorAll(%s).length)`, jsString(sel))))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// eval evaluates a JavaScript expression and returns it as a string.
func (b *tab) eval(t *testing.T, expr string) string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// screenshot saves a full-page PNG under GATEHOUSE_ARTIFACTS, or the
// test's temporary directory, and logs its path.
func (b *tab) screenshot(t *testing.T) {
	t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("GATEHOUSE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "console.png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func jsString(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}
