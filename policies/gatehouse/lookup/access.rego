# The access map: every grant one user holds, for an access review: direct,
# through each of their groups and by membership, with what each grant's
# role gives. engine/index/lookup.go answers the same natively. (The
# package's METADATA is in lookup.rego; a package declares it once.)
package gatehouse.lookup

import data.gatehouse.grants

# METADATA
# description: |
#   Input {user}: each unexpired grant the user holds as {kind, id, group
#   (only through a group), role, resource, expires (Unix ns, only when
#   set), permissions}: the role's actions with their flags merged, none
#   for a missing or inactive role. Sorted by resource, kind, id, group,
#   then role; a grant given twice appears once.
access := [_access_entry(t) | some t in _access_tuples]

# The grants as [resource, kind, id, group, role, expires] tuples, a set so
# that it sorts in the access map's order; group "" when direct.
_access_tuples contains _access_tuple(t, "") if {
	some t in grants.principal_grants(data.gatehouse.index.users[input.user])
	grants.live(t, time.now_ns())
}

_access_tuples contains _access_tuple(t, group) if {
	some group in data.gatehouse.index.users[input.user].groups
	some t in grants.principal_grants(data.gatehouse.index.groups[group])
	grants.live(t, time.now_ns())
}

_access_tuple(t, group) := [
	grants.tuple_resource(t), grants.tuple_kind(t), grants.tuple_id(t),
	group, grants.tuple_role(t), grants.tuple_expires(t),
]

_access_entry([resource, kind, id, group, role, expires]) := object.union_n([
	{"kind": kind, "id": id, "role": role, "resource": resource, "permissions": _access_permissions[role]},
	{"group": group | group != ""},
	{"expires": expires | expires != 0},
])

# What each role among the grants gives, merged once per role.
_access_permissions[role] := _role_permissions({role}) if {
	some t in _access_tuples
	role := t[4]
}
