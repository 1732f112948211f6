package bundles

// ForTenant keeps the part of an index document that decisions on the
// tenant's resources (URIs under tenants/{tenant}) can use: grants whose
// pattern can cover such a URI, the users and groups holding them, the
// roles they name, installations reaching the tenant and their extensions.
func ForTenant(index map[string]any, tenant string) map[string]any {
	scope := []any{"tenants", tenant}
	groups := keepGroups(obj(index["groups"]), scope)
	users := keepUsers(obj(index["users"]), scope, groups)
	installations, extensions := keepInstallations(obj(index["installations"]), obj(index["extensions"]), scope)
	return map[string]any{
		"users":         users,
		"groups":        groups,
		"roles":         keepRoles(obj(index["roles"]), users, groups),
		"installations": installations,
		"extensions":    extensions,
	}
}

// reaches reports whether pattern segments can cover some URI under scope.
func reaches(pattern, scope []any) bool {
	for i := 0; i < len(pattern) && i < len(scope); i++ {
		if pattern[i] != "*" && pattern[i] != scope[i] {
			return false
		}
	}
	return true
}

func keepGrants(doc map[string]any, scope []any) []any {
	out := []any{}
	for _, g := range arr(doc["grants"]) {
		if reaches(arr(obj(g)["segs"]), scope) {
			out = append(out, g)
		}
	}
	return out
}

func keepGroups(groups map[string]any, scope []any) map[string]any {
	out := map[string]any{}
	for id, g := range groups {
		if grants := keepGrants(obj(g), scope); len(grants) > 0 {
			out[id] = map[string]any{"grants": grants}
		}
	}
	return out
}

func keepUsers(users map[string]any, scope []any, groups map[string]any) map[string]any {
	out := map[string]any{}
	for id, u := range users {
		grants := keepGrants(obj(u), scope)
		member := []any{}
		for _, g := range arr(obj(u)["groups"]) {
			if _, ok := groups[g.(string)]; ok {
				member = append(member, g)
			}
		}
		if len(grants)+len(member) > 0 {
			out[id] = map[string]any{"grants": grants, "groups": member}
		}
	}
	return out
}

func keepRoles(roles, users, groups map[string]any) map[string]any {
	out := map[string]any{}
	for _, holders := range []map[string]any{users, groups} {
		for _, h := range holders {
			for _, g := range arr(obj(h)["grants"]) {
				id := obj(g)["role"].(string)
				if r, ok := roles[id]; ok {
					out[id] = r
				}
			}
		}
	}
	return out
}

func keepInstallations(installations, extensions map[string]any, scope []any) (map[string]any, map[string]any) {
	keptIns, keptExt := map[string]any{}, map[string]any{}
	for id, in := range installations {
		for _, r := range arr(obj(in)["resources"]) {
			if reaches(arr(obj(r)["segs"]), scope) {
				keptIns[id] = in
				ext, _ := obj(in)["extension"].(string)
				if e, ok := extensions[ext]; ok {
					keptExt[ext] = e
				}
				break
			}
		}
	}
	return keptIns, keptExt
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func arr(v any) []any {
	a, _ := v.([]any)
	return a
}
