# METADATA
# title: Lookups
# description: |
#   Authress-style questions about one user: what they hold on a resource,
#   where they hold a permission, and which memberships reach a context.
package gatehouse.lookup

import data.gatehouse.grants
import data.gatehouse.match

# METADATA
# description: |
#   Input {user, resource}: each action the user's roles give on the
#   resource, with allow/grant/delegate merged over every grant covering it.
permissions := [merge_flags(action, held) |
	held := _held_permissions
	some action in {p.action | some p in held}
]

# METADATA
# description: |
#   Input {user, permission, prefix?}: the grant patterns through which the
#   user holds the permission. With a prefix, patterns inside it are kept and
#   a pattern covering the prefix yields the prefix itself.
resources contains uri if {
	action := grants.action_request(match.action_segments(input.permission))
	some g in grants.user_grants(input.user, time.now_ns())
	grants.role_allows(g.role, action)
	uri := within_prefix(g, object.get(input, "prefix", ""))
}

# METADATA
# description: |
#   Input {user, context}: the user's memberships at the context and above,
#   with inherited=true above it, and the permissions their roles give.
memberships := [m |
	some id in {g.id | some g in _membership_grants}
	m := _membership(id)
]

# METADATA
# description: Merges the flags of every permission entry with this action.
merge_flags(action, held) := {
	"action": action,
	"allow": _any_flag(action, held, "allow"),
	"grant": _any_flag(action, held, "grant"),
	"delegate": _any_flag(action, held, "delegate"),
}

# METADATA
# description: The grant's pattern as seen under prefix (see resources).
within_prefix(g, "") := g.resource

within_prefix(g, prefix) := g.resource if {
	prefix != ""
	match.covers(match.resource_segments(prefix), g.segs)
}

within_prefix(g, prefix) := trim_suffix(trim_prefix(prefix, "/"), "/") if {
	prefix != ""
	not match.covers(match.resource_segments(prefix), g.segs)
	match.covers(g.segs, match.resource_segments(prefix))
}

within_prefix(g, prefix) := concat("/", array.concat(p, array.slice(g.segs, count(p), count(g.segs)))) if {
	prefix != ""
	p := match.resource_segments(prefix)
	count(g.segs) > count(p)
	not match.covers(p, g.segs)
	match.covers(array.slice(g.segs, 0, count(p)), p)
}

_any_flag(action, held, flag) := count([1 | some p in held; p.action == action; p[flag]]) > 0

_held_permissions := [p |
	some g in grants.user_grants(input.user, time.now_ns())
	match.covers(g.segs, match.resource_segments(input.resource))
	role := data.gatehouse.index.roles[g.role]
	role.active
	some p in role.permissions
]

_context := match.resource_segments(input.context)

_membership_grants := [g |
	some g in grants.user_grants(input.user, time.now_ns())
	g.kind == "membership"
	match.covers(g.segs, _context)
]

_membership(id) := {
	"id": id,
	"context": gs[0].resource,
	"inherited": count(gs[0].segs) < count(_context),
	"roles": sort({g.role | some g in gs}),
	"permissions": _role_permissions({g.role | some g in gs}),
} if {
	gs := [g | some g in _membership_grants; g.id == id]
}

_role_permissions(roles) := [merge_flags(action, held) |
	held := [p |
		some r in roles
		data.gatehouse.index.roles[r].active
		some p in data.gatehouse.index.roles[r].permissions
	]
	some action in {p.action | some p in held}
]
