# METADATA
# title: Grants
# description: |
#   What a principal holds: grants from access records (direct and through
#   groups) and memberships, read from data.gatehouse.index, which the
#   loader keys by the id a decision starts from.
package gatehouse.grants

import data.gatehouse.match

# METADATA
# description: The user's unexpired grants, direct and through their groups.
user_grants(user, now) := array.concat(
	[g | some g in data.gatehouse.index.users[user].grants; live(g, now)],
	[g |
		some group in data.gatehouse.index.users[user].groups
		some g in data.gatehouse.index.groups[group].grants
		live(g, now)
	],
)

# METADATA
# description: A grant without expiry, or one that expires after now (ns).
live(grant, _) if not grant.expires

live(grant, now) if now < grant.expires

# METADATA
# description: The role exists, is active and has an allowing permission implying the action.
role_allows(role_id, action) if {
	role := data.gatehouse.index.roles[role_id]
	role.active
	some p in role.permissions
	p.allow
	match.covers(p.segs, action)
}

# METADATA
# description: Reasons for each grant whose pattern covers the resource and whose role allows the action.
allowing(grants, resource, action) := {r |
	some g in grants
	match.covers(g.segs, resource)
	role_allows(g.role, action)
	r := {"kind": g.kind, "id": g.id, "role": g.role, "resource": g.resource}
}
