# Who has access (the package's METADATA is in lookup.rego): every user
# holding a permission on a resource, directly or through a group, through
# records and memberships, through "*" patterns and ancestors, each with
# the paths through which they do.
# It scans every user and group: it is the definition that the engine's
# native answer over its reverse index is held equal to.
package gatehouse.lookup

import data.gatehouse.grants
import data.gatehouse.match

# METADATA
# description: |
#   Input {resource, permission, grant?}: [{user, via}] sorted by user, via
#   the set of paths {kind, id, group?, role, resource, grant, delegate}:
#   the user's (or their group's) unexpired grants covering the resource
#   whose active role allows the permission, or with grant: true carries
#   the grant flag on it. grant and delegate say whether a permission of
#   the role implying the action carries that flag. Empty for an invalid
#   resource or permission.
users := [{"user": user, "via": vias[user]} |
	vias := _via
	some user in sort(object.keys(vias))
]

_via[user] contains path if {
	some user, doc in data.gatehouse.index.users
	some t in grants.covering(doc, _users_request)
	path := _path(t, {})
}

_via[user] contains path if {
	some group, doc in data.gatehouse.index.groups
	some t in grants.covering(doc, _users_request)
	path := _path(t, {"group": group})
	some user in _members[group]
}

# The group's members: the users whose entry lists it.
_members[group] contains user if {
	some user, doc in data.gatehouse.index.users
	some group in doc.groups
}

_users_request := grants.request(input.resource, input.permission, time.now_ns()) if {
	match.valid_resource(input.resource)
	match.valid_action(input.permission)
}

# A path through grant tuple t whose role fits the question; extra adds the group.
_path(t, extra) := object.union(extra, {
	"kind": grants.tuple_kind(t),
	"id": grants.tuple_id(t),
	"role": grants.tuple_role(t),
	"resource": grants.tuple_resource(t),
	"grant": _flag(grants.tuple_role(t), "grant"),
	"delegate": _flag(grants.tuple_role(t), "delegate"),
}) if {
	_fits(grants.tuple_role(t))
}

_fits(role) if {
	not input.grant == true
	grants.role_allows(role, _users_request)
}

_fits(role) if {
	input.grant == true
	data.gatehouse.index.roles[role].active
	_flag(role, "grant")
}

# Whether a permission of the role implying the action carries flag.
default _flag(_, _) := false

_flag(role, flag) if {
	some p in data.gatehouse.index.roles[role].permissions
	p[flag] == true
	match.covers(p.segs, _users_request.action)
}
