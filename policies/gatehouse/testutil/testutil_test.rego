# METADATA
# title: Test fixtures
# description: |
#   Lets the policy tests write fixtures with plain grant lists
#   ({"users": {"u": {"groups": [...], "grants": [...]}}}, apps by
#   onboarding id like groups) and converts them
#   into the layout the loader produces (by_prefix, allows,
#   allows_wild). A _test.rego file, so never part of a bundle.
package gatehouse.testutil

import data.gatehouse.grants

_allow_key([]) := ""

_allow_key(segs) := concat("", [concat(":", segs), ":"]) if count(segs) > 0

# METADATA
# description: The fixture in the loader's layout.
index(f) := object.union(f, {
	"users": {id: object.union(principal(doc), {"groups": object.get(doc, "groups", [])}) |
		some id, doc in object.get(f, "users", {})
	},
	"groups": {id: principal(doc) | some id, doc in object.get(f, "groups", {})},
	"apps": {id: principal(doc) | some id, doc in object.get(f, "apps", {})},
	"roles": {id: role(doc) | some id, doc in object.get(f, "roles", {})},
})

# METADATA
# description: |
#   A principal's grants as tuples [kind, id, role, resource, expires],
#   filed by resource, and those with "*" (plus their segs) by the literal
#   prefix before the first "*", all in by_prefix.
principal(doc) := {"by_prefix": {key: _filed(exact, wild, key) | some key in _keys(exact, wild)}} if {
	exact := [g | some g in object.get(doc, "grants", []); not "*" in g.segs]
	wild := [g | some g in object.get(doc, "grants", []); "*" in g.segs]
}

# METADATA
# description: A fixture grant object as the loader's tuple.
tuple(g) := grants.tuple(g)

_keys(exact, wild) := {g.resource | some g in exact} | {_literal(g.segs) | some g in wild}

_filed(exact, wild, key) := array.concat(
	[tuple(g) | some g in exact; g.resource == key],
	[tuple(g) | some g in wild; _literal(g.segs) == key],
)

_literal(segs) := concat("/", array.slice(segs, 0, [i | some i, s in segs; s == "*"][0]))

# METADATA
# description: A role with its allowed patterns indexed.
role(doc) := object.union(doc, {
	"allows": [_allow_key(p.segs) | some p in object.get(doc, "permissions", []); p.allow; not "*" in p.segs],
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
	got.users.u.by_prefix == {"a/b": [["record", "r", "x", "a/b", 0]], "a": [["record", "w", "x", "a/*", 0, ["a", "*"]]]}
	got.users.u.groups == []
	got.roles.x.allows == ["read:"]
	got.roles.x.allows_wild == [["*", "read"]]
	index({"roles": {"all": {"permissions": [{"segs": [], "allow": true}]}}}).roles.all.allows == [""]
}
