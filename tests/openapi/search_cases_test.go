package openapi

// searchCalls drive who-has-access, the access map and the AuthZEN
// searches.
func searchCalls() []call {
	chat := map[string]any{"type": "chat", "id": "accounts/acme/chats/general"}
	alice := map[string]any{"type": "user", "id": "alice"}
	read := map[string]any{"name": "chats:read"}
	return []call{
		{name: "who reads", op: "POST /access/v1/search/subject", body: map[string]any{"subject": map[string]any{"type": "user"}, "action": read, "resource": chat}, want: 200},
		{name: "a page", op: "POST /access/v1/search/subject", body: map[string]any{"subject": map[string]any{"type": "user"}, "action": read, "resource": chat, "page": map[string]any{"limit": 1}}, want: 200},
		{name: "groups", op: "POST /access/v1/search/subject", body: map[string]any{"subject": map[string]any{"type": "group"}, "action": read, "resource": chat}, want: 400},
		{name: "wrong type", op: "POST /access/v1/search/subject", body: map[string]any{"subject": "user"}, want: 400, refused: true},
		{name: "where alice reads", op: "POST /access/v1/search/resource", body: map[string]any{"subject": alice, "action": read, "resource": map[string]any{"type": "accounts/acme/chats"}}, want: 200},
		{name: "no type", op: "POST /access/v1/search/resource", body: map[string]any{"subject": alice, "action": read, "resource": map[string]any{}}, want: 400},
		{name: "what alice may do", op: "POST /access/v1/search/action", body: map[string]any{"subject": alice, "resource": chat}, want: 200},
		{name: "no resource", op: "POST /access/v1/search/action", body: map[string]any{"subject": alice}, want: 400},

		{name: "readers", op: "GET /v1/resources/{uri}/users", params: p("uri", "accounts/acme/chats/general"), query: "permission=chats:read", want: 200},
		{name: "no permission", op: "GET /v1/resources/{uri}/users", params: p("uri", "accounts/acme/chats/general"), want: 422, refused: true},
		{name: "alice", op: "GET /v1/users/{userId}/access", params: p("userId", "alice"), want: 200},
		{name: "bad limit", op: "GET /v1/users/{userId}/access", params: p("userId", "alice"), query: "limit=0", want: 422, refused: true},
	}
}
