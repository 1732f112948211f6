package openapi

// p builds path parameters from name/value pairs.
func p(kv ...string) map[string]string {
	out := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// calls are every call the live test makes, in order.
func calls() []call {
	var out []call
	for _, group := range [][]call{operationsCalls(), decisionCalls(), lookupCalls(), dataCalls(),
		bundleCalls(), appCalls(), authzenCalls(), manageCalls()} {
		out = append(out, group...)
	}
	return out
}

func operationsCalls() []call {
	return []call{
		{name: "live", op: "GET /health", want: 200},
		{name: "ready", op: "GET /ready", want: 200},
		{name: "the document", op: "GET /openapi.json", want: 200, open: true},
		{name: "no key needed", op: "GET /openapi.json", keyed: true, want: 200, open: true},
		{name: "the console", op: "GET /console", want: 200},
		{name: "the console's headers", op: "HEAD /console", want: 200},
		{name: "a module", op: "GET /console/{file}", params: p("file", "app.js"), want: 200},
		{name: "the style", op: "GET /console/{file}", params: p("file", "console.css"), want: 200},
		{name: "no such file", op: "GET /console/{file}", params: p("file", "nope.js"), want: 404},
		{name: "a module's headers", op: "HEAD /console/{file}", params: p("file", "app.js"), want: 200},
		{name: "no such file's headers", op: "HEAD /console/{file}", params: p("file", "nope.js"), want: 404},
		{name: "metrics", op: "GET /metrics", want: 200},
		{name: "no key", op: "GET /metrics", keyed: true, want: 401, refused: true},
		{name: "decide key", op: "GET /metrics", keyed: true, key: decideKey, want: 403, refused: true},
		{name: "status", op: "GET /v1/status", want: 200},
		{name: "read key", op: "GET /v1/status", keyed: true, key: readKey, want: 200},
		{name: "unknown key", op: "GET /v1/status", keyed: true, key: "nobody-0123456789abc", want: 401, refused: true},
		{name: "bundles key", op: "GET /v1/status", keyed: true, key: bundlesKey, want: 403, refused: true},
	}
}

var (
	allow = map[string]any{"user": "alice", "resource": "accounts/acme/chats/general", "permission": "chats:read"}
	deny  = map[string]any{"user": "bob", "resource": "accounts/acme/chats/general", "permission": "chats:delete"}
)

func decisionCalls() []call {
	return []call{
		{name: "allowed", op: "POST /v1/authorize", body: allow, want: 200},
		{name: "denied", op: "POST /v1/authorize", body: deny, want: 200},
		{name: "consent", op: "POST /v1/authorize", body: map[string]any{"user": "alice", "installation": "summarizer-acme", "resource": "accounts/acme/chats/general", "permission": "chats:write"}, want: 200},
		{name: "installation disabled", op: "POST /v1/authorize", body: map[string]any{"installation": "summarizer-paused", "resource": "accounts/acme/chats/general", "permission": "chats:read"}, want: 200},
		{name: "app", op: "POST /v1/authorize", body: map[string]any{"app": "platform:participants", "tenant": "acme", "resource": "tenants/acme/apps/platform:directory", "permission": "directory.read"}, want: 200},
		{name: "decide key", op: "POST /v1/authorize", body: allow, keyed: true, key: decideKey, want: 200},
		{name: "explain an allow", op: "POST /v1/authorize", query: "explain=true", body: allow, want: 200},
		{name: "explain a deny", op: "POST /v1/authorize", query: "explain=true", body: deny, want: 200},
		{name: "explain through an extension", op: "POST /v1/authorize", query: "explain=true", body: map[string]any{"user": "alice", "installation": "summarizer-acme", "resource": "accounts/acme/chats/general", "permission": "chats:write"}, want: 200},
		{name: "no explanation", op: "POST /v1/authorize", query: "explain=false", body: allow, want: 200},
		{name: "syntax", op: "POST /v1/authorize", body: `{"user": `, want: 400, refused: true},
		{name: "repeated key", op: "POST /v1/authorize", body: `{"user": "nobody", "user": "alice", "resource": "r", "permission": "p"}`, want: 400},
		{name: "null user", op: "POST /v1/authorize", body: `{"user": null, "resource": "r", "permission": "p"}`, want: 422, refused: true},
		{name: "unknown field", op: "POST /v1/authorize", body: map[string]any{"User": "alice", "resource": "r", "permission": "p"}, want: 422, refused: true},
		{name: "no resource", op: "POST /v1/authorize", body: map[string]any{"user": "alice", "permission": "p"}, want: 422, refused: true},
		{name: "dot segment", op: "POST /v1/authorize", body: map[string]any{"user": "alice", "resource": "accounts/acme/../x", "permission": "p"}, want: 422},
		{name: "no key", op: "POST /v1/authorize", body: allow, keyed: true, want: 401, refused: true},
		{name: "read key", op: "POST /v1/authorize", body: allow, keyed: true, key: readKey, want: 403, refused: true},

		{name: "two checks", op: "POST /v1/authorize/batch", body: map[string]any{"checks": []any{allow, deny}}, want: 200},
		{name: "no checks", op: "POST /v1/authorize/batch", body: map[string]any{"checks": []any{}}, want: 422, refused: true},
		{name: "bad check", op: "POST /v1/authorize/batch", body: map[string]any{"checks": []any{allow, map[string]any{"user": "", "resource": "r", "permission": "p"}}}, want: 422, refused: true},
		{name: "too many", op: "POST /v1/authorize/batch", body: map[string]any{"checks": repeat(allow, 1001)}, want: 413},
		{name: "not an object", op: "POST /v1/authorize/batch", body: `[]`, want: 400, refused: true},

		{name: "no route", op: "POST /v1/authorize/http", body: map[string]any{"tenant": "acme", "method": "GET", "path": "/v1/nothing", "user": "bob"}, want: 200},
		{name: "bad method", op: "POST /v1/authorize/http", body: map[string]any{"tenant": "acme", "method": "FETCH", "path": "/v1/x", "user": "bob"}, want: 422, refused: true},
		{name: "two subjects", op: "POST /v1/authorize/http", body: map[string]any{"tenant": "acme", "method": "GET", "path": "/v1/x", "user": "bob", "app": "platform:participants"}, want: 422},
		{name: "syntax", op: "POST /v1/authorize/http", body: `{`, want: 400, refused: true},
	}
}

func repeat(v any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func lookupCalls() []call {
	const check = "GET /v1/users/{userId}/resources/{uri}/permissions/{action}"
	const perms = "GET /v1/users/{userId}/resources/{uri}/permissions"
	return []call{
		{name: "allowed", op: check, params: p("userId", "bob", "uri", "accounts/acme/chats/general", "action", "chats:read"), want: 200},
		{name: "not allowed", op: check, params: p("userId", "bob", "uri", "accounts/acme/chats/general", "action", "chats:delete"), want: 404},
		{name: "dot segment", op: check, params: p("userId", "bob", "uri", "accounts/../x", "action", "chats:read"), want: 422},
		{name: "decide key", op: check, params: p("userId", "bob", "uri", "accounts/acme/chats/general", "action", "chats:read"), keyed: true, key: decideKey, want: 200},
		{name: "write key", op: check, params: p("userId", "bob", "uri", "accounts/acme/chats/general", "action", "chats:read"), keyed: true, key: writeKey, want: 403, refused: true},
		{name: "held", op: perms, params: p("userId", "carol", "uri", "customers/acme/projects/p1/files"), want: 200},
		{name: "dot segment", op: perms, params: p("userId", "carol", "uri", "customers/.."), want: 422},
		{name: "first page", op: "GET /v1/users/{userId}/resources", params: p("userId", "alice"), query: "permission=chats:read&limit=1", want: 200},
		{name: "all", op: "GET /v1/users/{userId}/resources", params: p("userId", "dan"), query: "permission=chats:read", want: 200},
		{name: "bad limit", op: "GET /v1/users/{userId}/resources", params: p("userId", "dan"), query: "permission=chats:read&limit=0", want: 422, refused: true},
		{name: "no permission", op: "GET /v1/users/{userId}/resources", params: p("userId", "dan"), want: 422, refused: true},
		{name: "bad cursor", op: "GET /v1/users/{userId}/resources", params: p("userId", "dan"), query: "permission=chats:read&cursor=!!", want: 422},
		{name: "no context", op: "GET /v1/users/{userId}/memberships", params: p("userId", "carol"), want: 422, refused: true},
		{name: "in a context", op: "GET /v1/users/{userId}/memberships", params: p("userId", "carol"), query: "context=customers/acme/projects/p1/files", want: 200},
		{name: "bad context", op: "GET /v1/users/{userId}/memberships", params: p("userId", "carol"), query: "context=a/../b", want: 422},
	}
}

func dataCalls() []call {
	input := map[string]any{"input": allow}
	return []call{
		{name: "everything", op: "GET /v1/data", want: 200},
		{name: "with input", op: "POST /v1/data", body: input, want: 200},
		{name: "allow", op: "GET /v1/data/{path}", params: p("path", "gatehouse/authz/allow"), query: "input=" + `%7B%22user%22%3A%22bob%22%2C%22resource%22%3A%22accounts%2Facme%22%2C%22permission%22%3A%22chats%3Aread%22%7D`, want: 200},
		{name: "metrics and explain", op: "GET /v1/data/{path}", params: p("path", "gatehouse/authz/allow"), query: "metrics&explain=notes", want: 200},
		{name: "undefined", op: "GET /v1/data/{path}", params: p("path", "gatehouse/nothing/here"), want: 200},
		{name: "bad explain", op: "GET /v1/data/{path}", params: p("path", "gatehouse/authz/allow"), query: "explain=all", want: 400, refused: true},
		{name: "bad input", op: "GET /v1/data/{path}", params: p("path", "gatehouse/authz/allow"), query: "input=%7B", want: 400},
		{name: "decision", op: "POST /v1/data/{path}", params: p("path", "gatehouse/authz/decision"), body: input, want: 200},
		{name: "null input", op: "POST /v1/data/{path}", params: p("path", "gatehouse/authz/decision"), body: `{"input": null}`, want: 200},
		{name: "unknown field", op: "POST /v1/data/{path}", params: p("path", "gatehouse/authz/decision"), body: `{"inputs": {}}`, want: 422, refused: true},
		{name: "decide key, entrypoint", op: "POST /v1/data/{path}", params: p("path", "gatehouse/authz/decision"), body: input, keyed: true, key: decideKey, want: 200},
		{name: "decide key, raw data", op: "GET /v1/data/{path}", params: p("path", "gatehouse/index"), keyed: true, key: decideKey, want: 403},
		{name: "empty segment", op: "GET /v1/data/{path}", params: p("path", "gatehouse//authz"), want: 422},
		{name: "syntax", op: "POST /v1/data", body: `{"input": `, want: 400, refused: true},
		{name: "unknown field", op: "POST /v1/data", body: `{"inputs": 1}`, want: 422, refused: true},
		{name: "syntax", op: "POST /v1/data/{path}", params: p("path", "gatehouse/authz/decision"), body: `{"input": `, want: 400, refused: true},
		{name: "write key", op: "GET /v1/data", keyed: true, key: writeKey, want: 403, refused: true},
		{name: "no key", op: "POST /v1/data", body: input, keyed: true, want: 401, refused: true},
	}
}

func bundleCalls() []call {
	return []call{
		{name: "gatehouse", op: "GET /v1/bundles/{name}", params: p("name", "gatehouse"), want: 200},
		{name: "not modified", op: "GET /v1/bundles/{name}", params: p("name", "gatehouse"), reuseETag: true, want: 304},
		{name: "tenant", op: "GET /v1/bundles/{name}", params: p("name", "tenants/acme"), want: 200},
		{name: "unknown", op: "GET /v1/bundles/{name}", params: p("name", "nothing"), want: 404},
		{name: "bundles key", op: "GET /v1/bundles/{name}", params: p("name", "gatehouse"), keyed: true, key: bundlesKey, want: 200},
		{name: "decide key", op: "GET /v1/bundles/{name}", params: p("name", "gatehouse"), keyed: true, key: decideKey, want: 403, refused: true},
	}
}

const manifestV2 = `appId: platform:participants
resources:
  - name: participants
    resourcePath: '^/v1/participants(/[^/]+)?$'
    allowedHttpMethods: [GET]
    permissions:
      - {action: participants.read, httpMethod: GET}
roles:
  - {roleName: participants-viewer, permissions: [participants.read]}
`

func appCalls() []call {
	const version = "PUT /v1/apps/{appId}/versions/{versionId}"
	const onboard = "POST /v1/apps/{appId}/onboard"
	yaml := map[string]string{"Content-Type": "application/yaml"}
	return []call{
		{name: "versions", op: "GET /v1/apps/{appId}/versions", params: p("appId", "platform:directory"), want: 200},
		{name: "a page", op: "GET /v1/apps/{appId}/versions", params: p("appId", "platform:directory"), query: "limit=1", want: 200},
		{name: "bad app id", op: "GET /v1/apps/{appId}/versions", params: p("appId", "Not An App"), want: 422},
		{name: "one", op: "GET /v1/apps/{appId}/versions/{versionId}", params: p("appId", "platform:directory", "versionId", "1"), want: 200},
		{name: "unknown", op: "GET /v1/apps/{appId}/versions/{versionId}", params: p("appId", "platform:directory", "versionId", "9"), want: 404},
		{name: "new, YAML", op: version, params: p("appId", "platform:participants", "versionId", "2"), body: manifestV2, headers: yaml, want: 201},
		{name: "same again", op: version, params: p("appId", "platform:participants", "versionId", "2"), body: manifestV2, headers: yaml, want: 200},
		{name: "JSON", op: version, params: p("appId", "platform:participants", "versionId", "3"), body: map[string]any{"appId": "platform:participants"}, want: 201},
		{name: "other app id", op: version, params: p("appId", "platform:participants", "versionId", "4"), body: map[string]any{"appId": "platform:other"}, want: 422},
		{name: "unknown field", op: version, params: p("appId", "platform:participants", "versionId", "4"), body: map[string]any{"appId": "platform:participants", "routes": []any{}}, want: 422, refused: true},
		{name: "on behalf", op: version, params: p("appId", "platform:participants", "versionId", "4"), body: map[string]any{"appId": "platform:participants"}, headers: map[string]string{"X-Gatehouse-User": "alice"}, want: 403},
		{name: "blank actor", op: version, params: p("appId", "platform:participants", "versionId", "4"), body: map[string]any{"appId": "platform:participants"}, headers: map[string]string{"X-Gatehouse-User": " "}, want: 400},
		{name: "read key", op: version, params: p("appId", "platform:participants", "versionId", "4"), body: map[string]any{"appId": "platform:participants"}, keyed: true, key: readKey, want: 403, refused: true},

		{name: "stack", op: onboard, params: p("appId", "platform:directory"), body: map[string]any{"versionId": "1", "stackId": "main"}, want: 200},
		{name: "tenant", op: onboard, params: p("appId", "platform:participants"), body: map[string]any{"versionId": "1", "tenantId": "acme"}, want: 200},
		{name: "unknown version", op: onboard, params: p("appId", "platform:participants"), body: map[string]any{"versionId": "9", "tenantId": "acme"}, want: 404},
		{name: "both", op: onboard, params: p("appId", "platform:participants"), body: map[string]any{"versionId": "1", "tenantId": "acme", "stackId": "main"}, want: 422},
		{name: "syntax", op: onboard, params: p("appId", "platform:participants"), body: `{`, want: 400, refused: true},
		{name: "no version", op: onboard, params: p("appId", "platform:participants"), body: map[string]any{"tenantId": "acme"}, want: 422, refused: true},
		{name: "onboarded version changes", op: version, params: p("appId", "platform:participants", "versionId", "1"), body: manifestV2, headers: yaml, want: 409},

		{name: "routed", op: "POST /v1/authorize/http", body: map[string]any{"tenant": "acme", "method": "GET", "path": "/v1/directory/entries/e1", "app": "platform:participants"}, want: 200},

		{name: "remove", op: "DELETE /v1/apps/{appId}/onboardings/{tenantId}", params: p("appId", "platform:participants", "tenantId", "acme"), want: 204},
		{name: "not onboarded", op: "DELETE /v1/apps/{appId}/onboardings/{tenantId}", params: p("appId", "platform:participants", "tenantId", "globex"), want: 404},
		{name: "bad tenant", op: "DELETE /v1/apps/{appId}/onboardings/{tenantId}", params: p("appId", "platform:participants", "tenantId", "a b/c"), want: 422},
		{name: "bad If-Match", op: "DELETE /v1/apps/{appId}/onboardings/{tenantId}", params: p("appId", "platform:participants", "tenantId", "acme"), headers: map[string]string{"If-Match": "x"}, want: 400},
	}
}

func authzenCalls() []call {
	eval := map[string]any{
		"subject":  map[string]any{"type": "user", "id": "alice"},
		"action":   map[string]any{"name": "chats:read"},
		"resource": map[string]any{"type": "chat", "id": "accounts/acme/chats/general"},
	}
	rid := map[string]string{"X-Request-ID": "req-1"}
	return []call{
		{name: "allowed", op: "POST /access/v1/evaluation", body: eval, headers: rid, want: 200},
		{name: "unknown fields ignored", op: "POST /access/v1/evaluation", body: map[string]any{"subject": map[string]any{"type": "user", "id": "bob", "x": 1}, "action": map[string]any{"name": "chats:delete"}, "resource": map[string]any{"type": "chat", "id": "accounts/acme/chats/general"}, "extra": true}, want: 200},
		{name: "wrong type", op: "POST /access/v1/evaluation", body: map[string]any{"subject": "alice"}, headers: rid, want: 400, refused: true},
		{name: "missing subject", op: "POST /access/v1/evaluation", body: map[string]any{"action": map[string]any{"name": "chats:read"}}, want: 400},
		{name: "not JSON", op: "POST /access/v1/evaluation", body: eval, headers: map[string]string{"Content-Type": "text/plain"}, want: 400, refused: true},
		{name: "no key", op: "POST /access/v1/evaluation", body: eval, keyed: true, want: 401, refused: true},
		{name: "one", op: "POST /access/v1/evaluations", body: eval, want: 200},
		{name: "batch", op: "POST /access/v1/evaluations", body: map[string]any{"subject": eval["subject"], "evaluations": []any{
			map[string]any{"action": map[string]any{"name": "chats:read"}, "resource": eval["resource"]},
			map[string]any{"action": map[string]any{"name": "chats:read"}},
		}}, headers: rid, want: 200},
		{name: "bad semantic", op: "POST /access/v1/evaluations", body: map[string]any{"evaluations": []any{eval}, "options": map[string]any{"evaluations_semantic": "all"}}, want: 400, refused: true},
		{name: "too many", op: "POST /access/v1/evaluations", body: map[string]any{"evaluations": repeat(eval, 1001)}, want: 413},
		{name: "metadata", op: "GET /.well-known/authzen-configuration", want: 200},
	}
}
