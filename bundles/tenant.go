package bundles

import "strings"

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

// keepGrants keeps a principal's grant tuples that reach scope, in the
// same by_prefix layout; n is how many were kept.
func keepGrants(doc map[string]any, scope []any) (map[string]any, int) {
	byPrefix, n := map[string]any{}, 0
	for key, ts := range obj(doc["by_prefix"]) {
		kept := []any{}
		for _, t := range arr(ts) {
			if reaches(tupleSegs(arr(t)), scope) {
				kept = append(kept, t)
			}
		}
		if len(kept) > 0 {
			byPrefix[key], n = kept, n+len(kept)
		}
	}
	return map[string]any{"by_prefix": byPrefix}, n
}

// tupleSegs returns a grant tuple's pattern segments: its sixth field for
// "*" patterns, else its resource split.
func tupleSegs(t []any) []any {
	if len(t) > 5 {
		return arr(t[5])
	}
	res, _ := t[3].(string)
	return split(res)
}

func split(uri string) []any {
	var out []any
	for _, s := range strings.Split(uri, "/") {
		out = append(out, s)
	}
	return out
}

func keepGroups(groups map[string]any, scope []any) map[string]any {
	out := map[string]any{}
	for id, g := range groups {
		if kept, n := keepGrants(obj(g), scope); n > 0 {
			out[id] = kept
		}
	}
	return out
}

func keepUsers(users map[string]any, scope []any, groups map[string]any) map[string]any {
	out := map[string]any{}
	for id, u := range users {
		kept, n := keepGrants(obj(u), scope)
		member := []any{}
		for _, g := range arr(obj(u)["groups"]) {
			if _, ok := groups[g.(string)]; ok {
				member = append(member, g)
			}
		}
		if n+len(member) > 0 {
			kept["groups"] = member
			out[id] = kept
		}
	}
	return out
}

func keepRoles(roles, users, groups map[string]any) map[string]any {
	out := map[string]any{}
	for _, holders := range []map[string]any{users, groups} {
		for _, h := range holders {
			for _, ts := range obj(obj(h)["by_prefix"]) {
				for _, t := range arr(ts) {
					id, _ := arr(t)[2].(string)
					if r, ok := roles[id]; ok {
						out[id] = r
					}
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
