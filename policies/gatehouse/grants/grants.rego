# METADATA
# title: Grants
# description: |
#   What a principal holds: grants from access records (direct and through
#   groups) and memberships, read from data.gatehouse.index. The loader
#   keys users and groups by id and, inside each, grants without "*" by
#   their resource (by_resource) with the rest in wild; roles carry the
#   action prefixes they allow (allows) with "*"-segment patterns in
#   allows_wild. A decision thus looks up the request's prefixes instead of
#   scanning what the user holds.
package gatehouse.grants

import data.gatehouse.match

# METADATA
# description: |
#   A decision's request, split once: resource segments and their "/"
#   prefixes, action segments and their ":" prefixes ("" first), and now.
request(resource, action, now) := {
	"segs": segs,
	"prefixes": [concat("/", array.slice(segs, 0, n)) | some n in numbers.range(1, count(segs))],
	"action": act.action,
	"action_prefixes": act.action_prefixes,
	"now": now,
} if {
	segs := match.resource_segments(resource)
	act := action_request(match.action_segments(action))
}

# METADATA
# description: The action part of a request from its segments.
action_request(action) := {
	"action": action,
	"action_prefixes": [concat(":", array.slice(action, 0, n)) | some n in numbers.range(0, count(action))],
}

# METADATA
# description: Every grant of a user or group document.
principal_grants(doc) := array.concat(
	[g | some gs in object.get(doc, "by_resource", {}); some g in gs],
	object.get(doc, "wild", []),
)

# METADATA
# description: The user's unexpired grants, direct and through their groups.
user_grants(user, now) := array.concat(
	[g | some g in principal_grants(data.gatehouse.index.users[user]); live(g, now)],
	[g |
		some group in data.gatehouse.index.users[user].groups
		some g in principal_grants(data.gatehouse.index.groups[group])
		live(g, now)
	],
)

# METADATA
# description: A grant without expiry, or one that expires after now (ns).
live(grant, _) if not grant.expires

live(grant, now) if now < grant.expires

# METADATA
# description: The unexpired grants of a user or group document covering the request.
covering(doc, req) := array.concat(
	[g | some p in req.prefixes; some g in doc.by_resource[p]; live(g, req.now)],
	[g | some g in doc.wild; match.covers(g.segs, req.segs); live(g, req.now)],
)

# METADATA
# description: The user, directly or through a group, holds a grant allowing the request.
user_allowed(user, req) if {
	some g in covering(data.gatehouse.index.users[user], req)
	role_allows(g.role, req)
}

user_allowed(user, req) if {
	some group in data.gatehouse.index.users[user].groups
	some g in covering(data.gatehouse.index.groups[group], req)
	role_allows(g.role, req)
}

# METADATA
# description: The role exists, is active and allows an action implying the request's.
role_allows(role_id, req) if {
	role := data.gatehouse.index.roles[role_id]
	role.active
	some prefix in req.action_prefixes
	role.allows[prefix]
}

role_allows(role_id, req) if {
	role := data.gatehouse.index.roles[role_id]
	role.active
	some segs in role.allows_wild
	match.covers(segs, req.action)
}

# METADATA
# description: Reasons for each of the user's grants that covers the request and whose role allows it.
allowing(user, req) := {reason(g) |
	some g in array.concat(
		covering(data.gatehouse.index.users[user], req),
		[g |
			some group in data.gatehouse.index.users[user].groups
			some g in covering(data.gatehouse.index.groups[group], req)
		],
	)
	role_allows(g.role, req)
}

# METADATA
# description: A grant as a decision reason.
reason(g) := {"kind": g.kind, "id": g.id, "role": g.role, "resource": g.resource}
