package console_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// runContract drives the panels of routes 1–3 against a front that
// answers those routes with the example shapes for the demo data
// and passes everything else to the real server. It checks the page
// draws the agreed shapes (chains, near misses, the tree, paging) before
// the routes land; the same steps then run against the real server once
// they leave pendingPanels.
func runContract(t *testing.T, b *tab, base, rev string) {
	front := httptest.NewServer(contractFront(t, base))
	t.Cleanup(front.Close)
	b.do(t, chromedp.Navigate(front.URL+"/console"), chromedp.WaitReady(chromedp.CSS(`body[data-ready="true"]`)))
	t.Run("key", func(t *testing.T) {
		// Without the key the front refuses, and the panel lists why.
		b.fill(t, "access-user", "alice")
		if got := b.settle(t, "access-result", "access-submit"); got != "error" {
			t.Fatalf("without a key the access map settled %q, want error", got)
		}
		b.verify(t, "#access-result .error-head", check{has: []string{"401", "unauthorized"}})
		b.fill(t, "api-key", frontKey)
		b.verify(t, "#key-state", check{has: []string{"key set"}})
	})
	for _, s := range steps(rev) {
		if !s.needsNewRoute() {
			continue
		}
		t.Run(s.name, func(t *testing.T) { b.run(t, s) })
	}
}

// frontKey is the API key the contract front wants on the new routes.
const frontKey = "console-test-key-0123456789"

// contractFront answers the three new routes from canned bodies, to
// callers sending frontKey as a bearer token (401 otherwise).
func contractFront(t *testing.T, base string) http.Handler {
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.EscapedPath()
		fresh := strings.HasSuffix(path, "/access") || strings.HasSuffix(path, "/users") || r.URL.Query().Has("explain")
		switch {
		case fresh && r.Header.Get("Authorization") != "Bearer "+frontKey:
			reply(w, http.StatusUnauthorized, map[string]any{"code": "unauthorized", "message": "a bearer API key is required"})
		case r.Method == http.MethodPost && path == "/v1/authorize" && r.URL.Query().Get("explain") == "true":
			explained(t, w, r, base)
		case r.Method == http.MethodGet && strings.HasPrefix(path, "/v1/users/") && strings.HasSuffix(path, "/access"):
			accessMap(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/v1/users/"), "/access"))
		case r.Method == http.MethodGet && strings.HasPrefix(path, "/v1/resources/") && strings.HasSuffix(path, "/users"):
			whoHas(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/v1/resources/"), "/users"))
		default:
			proxy.ServeHTTP(w, r)
		}
	})
}

// explanations by "user|installation|permission".
var explanations = map[string]any{
	"alice||chats:read": map[string]any{"paths": []any{aliceAdmin, aliceStaff}, "near_misses": []any{}},
	"bob||chats:delete": map[string]any{"paths": []any{}, "near_misses": []any{map[string]any{
		"reason": "action", "message": "holds chats:read on accounts/acme/chats/general but not chats:delete",
		"principal": "user", "user": "bob", "group": "acme-staff", "kind": "record", "id": "acme-general-chat",
		"role": "chat-reader", "permission": "chats:read", "resource": "accounts/acme/chats/general"}}},
	"alice|summarizer-acme|chats:write": map[string]any{"paths": []any{}, "near_misses": []any{map[string]any{
		"reason": "consent", "message": "the installation's consent does not cover chats:write", "principal": "user", "user": "alice",
		"installation": "summarizer-acme", "kind": "record", "id": "acme-admins", "role": "account-admin", "permission": "*", "resource": "accounts/acme"}},
		"extension": map[string]any{"installation": "summarizer-acme", "extension": "summarizer", "status": "ACTIVE",
			"scope":     []any{map[string]any{"resource": "accounts/acme", "covers": true}},
			"consented": []any{map[string]any{"permission": "chats:read", "covers": false}},
			"requested": []any{map[string]any{"permission": "chats:read", "covers": false}, map[string]any{"permission": "chats:write", "covers": true}},
			"covers":    map[string]any{"user": true, "status": true, "scope": true, "consent": false, "requested": true}}},
}

var (
	aliceAdmin = map[string]any{"principal": "user", "user": "alice", "kind": "record", "id": "acme-admins",
		"role": "account-admin", "permission": "*", "resource": "accounts/acme"}
	aliceStaff = map[string]any{"principal": "user", "user": "alice", "group": "acme-staff", "kind": "record",
		"id": "acme-general-chat", "role": "chat-reader", "permission": "chats:read", "resource": "accounts/acme/chats/general"}
)

// explained asks the real server and adds the canned explanation.
func explained(t *testing.T, w http.ResponseWriter, r *http.Request, base string) {
	raw, _ := io.ReadAll(r.Body)
	var q struct{ User, Installation, Permission string }
	_ = json.Unmarshal(raw, &q)
	resp, err := http.Post(base+"/v1/authorize", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Error(err)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Error(err)
	}
	if x, ok := explanations[q.User+"|"+q.Installation+"|"+q.Permission]; ok && resp.StatusCode == http.StatusOK {
		d["explanation"] = x
	}
	reply(w, resp.StatusCode, d)
}

// accessMap answers alice's grants in two pages, and nothing for others.
func accessMap(w http.ResponseWriter, r *http.Request, escapedUser string) {
	user, _ := url.PathUnescape(escapedUser)
	if user != "alice" {
		reply(w, http.StatusOK, map[string]any{"grants": []any{}})
		return
	}
	perm := func(action string, flags bool) []any {
		return []any{map[string]any{"action": action, "allow": true, "grant": flags, "delegate": flags}}
	}
	pages := map[string]map[string]any{
		"": {"grants": []any{map[string]any{"kind": "record", "id": "acme-admins", "role": "account-admin",
			"resource": "accounts/acme", "permissions": perm("*", true)}}, "cursor": "p2"},
		"p2": {"grants": []any{map[string]any{"kind": "record", "id": "acme-general-chat", "group": "acme-staff",
			"role": "chat-reader", "resource": "accounts/acme/chats/general", "permissions": perm("chats:read", false)}}},
	}
	page, ok := pages[r.URL.Query().Get("cursor")]
	if !ok {
		reply(w, http.StatusUnprocessableEntity, map[string]any{"code": "invalid_input", "message": "bad cursor"})
		return
	}
	reply(w, http.StatusOK, page)
}

// whoHas answers chats:read on the general chat, paged by limit and an
// offset cursor; with grant=true only alice.
func whoHas(w http.ResponseWriter, r *http.Request, escapedURI string) {
	uri, _ := url.PathUnescape(escapedURI)
	q := r.URL.Query()
	if problems := whoProblems(q); len(problems) > 0 {
		reply(w, http.StatusUnprocessableEntity, map[string]any{"code": "invalid_input", "message": "the request is invalid", "errors": problems})
		return
	}
	if uri != "accounts/acme/chats/general" || q.Get("permission") != "chats:read" {
		reply(w, http.StatusOK, map[string]any{"users": []any{}})
		return
	}
	via := func(kind, id, group, role, resource string, flags bool) map[string]any {
		v := map[string]any{"kind": kind, "id": id, "role": role, "resource": resource, "grant": flags, "delegate": flags}
		if group != "" {
			v["group"] = group
		}
		return v
	}
	users := []any{
		map[string]any{"user": "alice", "via": []any{via("record", "acme-admins", "", "account-admin", "accounts/acme", true)}},
		map[string]any{"user": "bob", "via": []any{via("record", "acme-general-chat", "acme-staff", "chat-reader", "accounts/acme/chats/general", false)}},
		map[string]any{"user": "dan", "via": []any{via("record", "acme-any-chat-for-dan", "", "chat-reader", "accounts/*/chats", false)}},
	}
	if q.Get("grant") == "true" {
		users = users[:1]
	}
	from, _ := strconv.Atoi(q.Get("cursor"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	to := min(from+limit, len(users))
	out := map[string]any{"users": users[from:to]}
	if to < len(users) {
		out["cursor"] = strconv.Itoa(to)
	}
	reply(w, http.StatusOK, out)
}

// whoProblems lists every bad parameter, as route 1 does.
func whoProblems(q url.Values) []map[string]string {
	var ps []map[string]string
	if q.Get("permission") == "" {
		ps = append(ps, map[string]string{"field": "permission", "message": "is required"})
	}
	if l := q.Get("limit"); l != "" {
		if n, err := strconv.Atoi(l); err != nil || n < 1 {
			ps = append(ps, map[string]string{"field": "limit", "message": "must be a whole number from 1"})
		}
	}
	return ps
}

func reply(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
