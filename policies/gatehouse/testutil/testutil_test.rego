# METADATA
# title: Test fixtures
# description: |
#   Lets the policy tests write fixtures with plain grant lists
#   ({"users": {"u": {"groups": [...], "grants": [...]}}}) and converts them
#   into the layout the loader produces (by_resource, wild, allows,
#   allows_wild). A _test.rego file, so never part of a bundle.
package gatehouse.testutil

# METADATA
# description: The fixture in the loader's layout.
index(f) := object.union(f, {
	"users": {id: object.union(principal(doc), {"groups": object.get(doc, "groups", [])}) |
		some id, doc in object.get(f, "users", {})
	},
	"groups": {id: principal(doc) | some id, doc in object.get(f, "groups", {})},
	"roles": {id: role(doc) | some id, doc in object.get(f, "roles", {})},
})

# METADATA
# description: A principal's grants filed by resource, wildcard patterns apart.
principal(doc) := {
	"by_resource": {res: [g | some g in exact; g.resource == res] | some g0 in exact; res := g0.resource},
	"wild": [g | some g in object.get(doc, "grants", []); "*" in g.segs],
} if {
	exact := [g | some g in object.get(doc, "grants", []); not "*" in g.segs]
}

# METADATA
# description: A role with its allowed patterns indexed.
role(doc) := object.union(doc, {
	"allows": {concat(":", p.segs): true | some p in object.get(doc, "permissions", []); p.allow; not "*" in p.segs},
	"allows_wild": [p.segs | some p in object.get(doc, "permissions", []); p.allow; "*" in p.segs],
})

test_index_files_grants_and_roles if {
	exact := {"kind": "record", "id": "r", "role": "x", "resource": "a/b", "segs": ["a", "b"]}
	wild := {"kind": "record", "id": "w", "role": "x", "resource": "a/*", "segs": ["a", "*"]}
	got := index({
		"users": {"u": {"grants": [exact, wild]}},
		"roles": {"x": {"active": true, "permissions": [
			{"action": "read:*", "segs": ["read"], "allow": true},
			{"action": "*:read", "segs": ["*", "read"], "allow": true},
			{"action": "write", "segs": ["write"], "allow": false},
		]}},
	})
	got.users.u.by_resource == {"a/b": [exact]}
	got.users.u.wild == [wild]
	got.users.u.groups == []
	got.roles.x.allows == {"read": true}
	got.roles.x.allows_wild == [["*", "read"]]
}
