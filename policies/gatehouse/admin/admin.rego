# METADATA
# title: Administration
# description: |
#   What a user acting on behalf of themselves lacks to hand out access:
#   grant on every permission of every role given, on every resource named
#   (delegate to hand out a permission that itself carries grant), and for
#   installing an extension, extensions:install on its context plus every
#   consented permission.
package gatehouse.admin

import data.gatehouse.grants
import data.gatehouse.match

# METADATA
# description: |
#   Input {user, grants: [{role, resource}]}: one entry per role permission,
#   resource and flag the user lacks to hand it out.
missing_to_give contains m if {
	some g in input.grants
	some p in data.gatehouse.index.roles[g.role].permissions
	some need in needed_flags(p)
	not holds(input.user, p.segs, match.resource_segments(g.resource), need)
	m := {"role": g.role, "action": p.action, "resource": g.resource, "needs": need}
}

# METADATA
# description: |
#   Input {user, context, consented: [{action, segs}]}: what the user lacks
#   to install an extension into context with that consent.
missing_to_install contains m if {
	not holds(input.user, ["extensions", "install"], match.resource_segments(input.context), "allow")
	m := {"action": "extensions:install", "resource": input.context, "needs": "allow"}
}

missing_to_install contains m if {
	some c in input.consented
	not holds(input.user, c.segs, match.resource_segments(input.context), "allow")
	m := {"action": c.action, "resource": input.context, "needs": "allow"}
}

# METADATA
# description: |
#   Handing out a permission needs grant on it; one that carries grant or
#   delegate needs delegate as well. Delegate alone is not enough: what is
#   handed out includes the permission itself, which only grant gives out.
needed_flags(p) := {"grant", "delegate"} if _hands_out_rights(p)

needed_flags(p) := {"grant"} if not _hands_out_rights(p)

_hands_out_rights(p) if p.grant

_hands_out_rights(p) if p.delegate

# METADATA
# description: |
#   The user holds, through an active role on a grant covering the
#   resource, a permission whose pattern covers segs and has flag set.
holds(user, segs, resource, flag) if {
	some g in grants.user_grants(user, time.now_ns())
	match.covers(g.segs, resource)
	role := data.gatehouse.index.roles[g.role]
	role.active
	some h in role.permissions
	h[flag]
	match.covers(h.segs, segs)
}
