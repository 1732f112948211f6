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
#   A grant tuple [kind, id, role, resource, expires, segs?] as an object
#   {kind, id, role, resource, segs, expires?}, for the lookups.
grant_object(t) := object.union(
	{"kind": t[0], "id": t[1], "role": t[2], "resource": t[3], "segs": split(t[3], "/")},
	{"expires": t[4] | t[4] != 0},
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
live(t, _) if t[4] == 0

live(t, now) if now < t[4]

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
_covers(t, _) if count(t) == 5

_covers(t, segs) if {
	count(t) == 6
	match.covers(t[5], segs)
}

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
	role_allows(t[2], req)
}

# METADATA
# description: A grant tuple as a decision reason.
reason(t) := {"kind": t[0], "id": t[1], "role": t[2], "resource": t[3]}
