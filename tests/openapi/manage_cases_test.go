package openapi

// samples are a valid new document of each managed collection.
var samples = []struct {
	collection string
	doc        map[string]any
}{
	{"roles", map[string]any{"name": "Temp", "permissions": []any{map[string]any{"action": "chats:read"}}}},
	{"records", map[string]any{"name": "Temp", "status": "ACTIVE", "users": []any{map[string]any{"userId": "zed"}},
		"statements": []any{map[string]any{"roles": []any{"chat-reader"}, "resources": []any{map[string]any{"resourceUri": "accounts/acme/chats/general"}}}}}},
	{"groups", map[string]any{"name": "Temp", "users": []any{map[string]any{"userId": "zed"}}}},
	{"memberships", map[string]any{"userId": "zed", "context": "accounts/acme", "roles": []any{"chat-reader"}}},
	{"extensions", map[string]any{"name": "Temp", "permissions": []any{"chats:read"}}},
	{"installations", map[string]any{"extensionId": "summarizer", "context": "accounts/acme", "consentedPermissions": []any{"chats:read"}, "installedBy": "alice"}},
	{"tenants", map[string]any{"name": "Temp", "stackId": "other"}},
	{"policies", map[string]any{"source": "package gatehouse.hooks.temp\n\nhelper := true\n"}},
}

// with returns doc with the extra fields.
func with(doc map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range doc {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// manageCalls drive the five routes of every managed collection.
func manageCalls() []call {
	var out []call
	for _, s := range samples {
		out = append(out, collectionCalls(s.collection, s.doc)...)
	}
	return append(out, referenceCalls()...)
}

func collectionCalls(c string, doc map[string]any) []call {
	list, one := "GET /v1/"+c, "/v1/"+c+"/{id}"
	writeKey := writeKey
	if c == "policies" {
		writeKey = adminKey
	}
	return []call{
		{name: "create", op: "POST /v1/" + c, body: with(doc, "_id", "tmp-1"), want: 201},
		{name: "generated id", op: "POST /v1/" + c, body: doc, keyed: true, key: writeKey, want: 201},
		{name: "exists", op: "POST /v1/" + c, body: with(doc, "_id", "tmp-1"), want: 409},
		{name: "syntax", op: "POST /v1/" + c, body: `{"name": `, want: 400, refused: true},
		{name: "null id", op: "POST /v1/" + c, body: with(doc, "_id", nil), want: 422, refused: true},
		{name: "read key", op: "POST /v1/" + c, body: doc, keyed: true, key: readKey, want: 403, refused: true},
		{name: "a page", op: list, query: "limit=1", want: 200},
		{name: "all", op: list, keyed: true, key: readKey, want: 200},
		{name: "bad cursor", op: list, query: "cursor=!!", want: 422},
		{name: "bad limit", op: list, query: "limit=x", want: 422, refused: true},
		{name: "no key", op: list, keyed: true, want: 401, refused: true},
		{name: "one", op: "GET " + one, params: p("id", "tmp-1"), want: 200},
		{name: "unknown", op: "GET " + one, params: p("id", "nothing-here"), want: 404},
		{name: "create", op: "PUT " + one, params: p("id", "tmp-2"), body: doc, want: 201},
		{name: "replace", op: "PUT " + one, params: p("id", "tmp-2"), body: doc, headers: map[string]string{"If-Match": `"1"`}, want: 200},
		{name: "stale If-Match", op: "PUT " + one, params: p("id", "tmp-2"), body: doc, headers: map[string]string{"If-Match": `"7"`}, want: 409},
		{name: "bad If-Match", op: "PUT " + one, params: p("id", "tmp-2"), body: doc, headers: map[string]string{"If-Match": "x"}, want: 400},
		{name: "not an object", op: "PUT " + one, params: p("id", "tmp-2"), body: `[1]`, want: 400, refused: true},
		{name: "unknown field", op: "PUT " + one, params: p("id", "tmp-2"), body: with(doc, "colour", "red"), want: 422, refused: true},
		{name: "read key", op: "PUT " + one, params: p("id", "tmp-2"), body: doc, keyed: true, key: readKey, want: 403, refused: true},
		{name: "force on behalf", op: "DELETE " + one, params: p("id", "tmp-2"), query: "force=true", headers: map[string]string{"X-Gatehouse-User": "alice"}, want: 403},
		{name: "bad force", op: "DELETE " + one, params: p("id", "tmp-2"), query: "force=yes", want: 400, refused: true},
		{name: "stale If-Match", op: "DELETE " + one, params: p("id", "tmp-2"), headers: map[string]string{"If-Match": `"9"`}, want: 409},
		{name: "control character", op: "DELETE " + one, params: p("id", "a\x01b"), want: 404},
		{name: "delete", op: "DELETE " + one, params: p("id", "tmp-2"), want: 204},
		{name: "delete", op: "DELETE " + one, params: p("id", "tmp-1"), keyed: true, key: writeKey, want: 204},
		{name: "gone", op: "DELETE " + one, params: p("id", "tmp-1"), want: 404},
	}
}

// referenceCalls: writes the document can describe but the server refuses
// for what other documents say.
func referenceCalls() []call {
	record := samples[1].doc
	return []call{
		{name: "still named", op: "DELETE /v1/roles/{id}", params: p("id", "chat-reader"), want: 409},
		{name: "unknown role", op: "PUT /v1/records/{id}", params: p("id", "tmp-3"), body: with(record, "statements", []any{map[string]any{"roles": []any{"nothing"}, "resources": []any{map[string]any{"resourceUri": "accounts/acme"}}}}), want: 422},
		{name: "bob cannot grant", op: "PUT /v1/records/{id}", params: p("id", "tmp-3"), body: record, headers: map[string]string{"X-Gatehouse-User": "bob"}, want: 403},
		{name: "alice can", op: "PUT /v1/records/{id}", params: p("id", "tmp-3"), body: record, headers: map[string]string{"X-Gatehouse-User": "alice"}, want: 201},
		{name: "write key, policies", op: "PUT /v1/policies/{id}", params: p("id", "tmp-3"), body: samples[7].doc, keyed: true, key: writeKey, want: 403, refused: true},
	}
}
