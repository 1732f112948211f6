# METADATA
# title: Grants
# description: |
#   What a principal holds: grants from access records (direct and through
#   groups) and memberships, read from data.gatehouse.index. The loader
#   keys users and groups by id and, inside each, files grant tuples by a
#   prefix of the URIs they cover (by_prefix); roles carry the
#   action prefixes they allow (allows) with "*"-segment patterns in
#   allows_wild. A decision thus looks up the request's prefixes instead of
#   scanning what the user holds.
package gatehouse.grants

import data.gatehouse.match

# METADATA
# description: |
#   A decision's request, split once: resource segments, the resource's "/"
#   prefixes after "" (the keys grants are filed under), the action's
#   segments and its key ("read:projects:") that role prefixes match, and now.
request(resource, action, now) := {
	"segs": segs,
	"prefixes": array.concat([""], [concat("/", array.slice(segs, 0, n)) | some n in numbers.range(1, count(segs))]),
	"action": act.action,
	"action_key": act.action_key,
	"now": now,
} if {
	segs := match.resource_segments(resource)
	act := action_request(match.action_segments(action))
}

# METADATA
# description: The action part of a request from its segments.
action_request(action) := {"action": action, "action_key": concat("", [concat(":", action), ":"])}

# METADATA
# description: |
#   A grant tuple's fields by name. The index files each grant as the tuple
#   [kind, id, role, resource, expires, segs?] (segs only for a pattern
#   with "*" segments; expires 0 without expiry); these functions and
#   tuple are the only places that know the positions.
tuple_kind(t) := t[0]

# METADATA
# description: The id of the record or membership that gave the grant.
tuple_id(t) := t[1]

# METADATA
# description: The role granted.
tuple_role(t) := t[2]

# METADATA
# description: The resource pattern, normalized.
tuple_resource(t) := t[3]

# METADATA
# description: When the grant expires (Unix ns); 0 without expiry.
tuple_expires(t) := t[4]

# METADATA
# description: The pattern's segments; undefined without a "*" segment.
tuple_pattern(t) := t[5]

# METADATA
# description: |
#   A grant object {kind, id, role, resource, expires?, segs} as the tuple
#   the index files; segs are appended only for a pattern with "*".
tuple(g) := array.concat(
	[g.kind, g.id, g.role, g.resource, object.get(g, "expires", 0)],
	[g.segs | "*" in g.segs],
)

# METADATA
# description: |
#   A grant tuple as an object {kind, id, role, resource, segs, expires?},
#   for the lookups.
grant_object(t) := object.union(
	{"kind": tuple_kind(t), "id": tuple_id(t), "role": tuple_role(t), "resource": tuple_resource(t), "segs": split(tuple_resource(t), "/")},
	{"expires": tuple_expires(t) | tuple_expires(t) != 0},
)

# METADATA
# description: Every grant tuple of a user or group document.
principal_grants(doc) := [t | some ts in object.get(doc, "by_prefix", {}); some t in ts]

# METADATA
# description: The user's unexpired grants as objects, direct and through their groups.
user_grants(user, now) := array.concat(
	[grant_object(t) | some t in principal_grants(data.gatehouse.index.users[user]); live(t, now)],
	[grant_object(t) |
		some group in data.gatehouse.index.users[user].groups
		some t in principal_grants(data.gatehouse.index.groups[group])
		live(t, now)
	],
)

# METADATA
# description: A grant tuple without expiry, or one that expires after now (ns).
live(t, _) if tuple_expires(t) == 0

live(t, now) if now < tuple_expires(t)

# METADATA
# description: The unexpired grant tuples of a user or group document covering the request.
covering(doc, req) := [t |
	some p in req.prefixes
	some t in doc.by_prefix[p]
	_covers(t, req.segs)
	live(t, req.now)
]

# A tuple without "*" is filed under its own resource, so finding it under
# a request prefix means it covers; one with "*" checks its segments.
_covers(t, _) if not tuple_pattern(t)

_covers(t, segs) if match.covers(tuple_pattern(t), segs)

# METADATA
# description: The role exists, is active and allows an action implying the request's.
role_allows(role_id, req) if {
	role := data.gatehouse.index.roles[role_id]
	role.active
	strings.any_prefix_match(req.action_key, role.allows)
}

role_allows(role_id, req) if {
	role := data.gatehouse.index.roles[role_id]
	role.active
	some segs in role.allows_wild
	match.covers(segs, req.action)
}

# METADATA
# description: Reasons for each of the user's grants that covers the request and whose role allows it.
allowing(user, req) := {reason(t) |
	some t in array.concat(
		covering(data.gatehouse.index.users[user], req),
		[t |
			some group in data.gatehouse.index.users[user].groups
			some t in covering(data.gatehouse.index.groups[group], req)
		],
	)
	role_allows(tuple_role(t), req)
}

# METADATA
# description: A grant tuple as a decision reason.
reason(t) := {"kind": tuple_kind(t), "id": tuple_id(t), "role": tuple_role(t), "resource": tuple_resource(t)}
