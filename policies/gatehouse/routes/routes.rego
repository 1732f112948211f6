# METADATA
# title: Route decisions
# description: |
#   Decides an HTTP request to an app onboarded to a tenant (SPEC section
#   6). Input: {"tenant", "method", "path", "user" | "app"}. The route is the
#   first of the tenant's routes (data.gatehouse.index.routes[tenant], in
#   the order the engine's Matcher tries them: by app id, then manifest
#   order) whose methods include the method and whose pattern matches the
#   path; its active permission for the method is decided on
#   tenants/{tenant}/apps/{app} by gatehouse.authz.decision. A first
#   route without an active permission for the method decides too: no
#   route, never a later one.
package gatehouse.routes

import data.gatehouse.authz
import data.gatehouse.match

# METADATA
# description: |
#   {allowed, reasons, denied_by, route}: the route's decision with the
#   route {app, resource, permission}; denied_by "invalid_input" or
#   "no_route" with route null. Always defined, as the else-chain ends
#   in gatehouse.authz.decision, which always is.
# entrypoint: true
decision := _deny("invalid_input") if {
	not _valid
} else := _deny("no_route") if {
	not route
} else := object.union(d, {"route": route}) if {
	d := authz.decision with input as decision_input(input, route)
}

_deny(side) := {"allowed": false, "reasons": [], "denied_by": side, "route": null}

# METADATA
# description: |
#   The request's route {app, resource, permission}; undefined when no
#   route matches or the first matching one has no active permission for
#   the method.
route := {"app": r.app, "resource": r.resource, "permission": perm} if {
	_valid
	r := _routes.routes[min(_matching)]
	perm := r.methods[input.method]
	perm != ""
}

# METADATA
# description: |
#   The input of gatehouse.authz.decision for a request and its route:
#   the subject (user, or app with its tenant) and the route's permission
#   on tenants/{tenant}/apps/{app}.
decision_input(req, r) := object.union(_subject(req), {
	"resource": concat("/", ["tenants", req.tenant, "apps", r.app]),
	"permission": r.permission,
})

_subject(req) := {"user": req.user} if "user" in object.keys(req)

_subject(req) := {"app": req.app, "tenant": req.tenant} if "app" in object.keys(req)

_routes := data.gatehouse.index.routes[input.tenant]

# The indexes of the routes that match, looked up by the path's "/"
# prefixes under which routes are filed (by their literal prefix).
_matching contains i if {
	some key in path_keys(input.path)
	some i in _routes.by_prefix[key]
	r := _routes.routes[i]
	input.method in object.keys(r.methods)
	startswith(input.path, r.prefix)
	regex.match(r.pattern, input.path)
}

# METADATA
# description: |
#   The keys a path's routes can be filed under: "" and every prefix of
#   the path that ends with "/".
path_keys(path) := {""} | {substring(path, 0, i + 1) | some i in indexof_n(path, "/")}

_valid if {
	is_object(input)
	count(object.keys(input) - _input_keys) == 0
	count(_subjects) == 1
	every key in _subjects {
		match.valid_id(input[key])
	}
	valid_tenant(input.tenant)
	input.method in methods
	valid_path(input.path)
}

_input_keys := {"tenant", "method", "path", "user", "app"}

_subjects := {key | some key in ["user", "app"]; key in object.keys(input)}

# METADATA
# description: The HTTP methods a route can allow, written as on the wire (case-sensitive).
methods := {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

# METADATA
# description: A tenant id is an id that is exactly one URI segment.
valid_tenant(tenant) if {
	match.valid_id(tenant)
	not contains(tenant, "/")
	match.valid_resource(tenant)
}

# METADATA
# description: |
#   A request path starts with "/", holds no query or fragment, and is "/"
#   or a valid resource URI without a "." or ".." segment spelled with %2e.
valid_path("/")

valid_path(path) if {
	is_string(path)
	path != "/"
	startswith(path, "/")
	not contains(path, "?")
	not contains(path, "#")
	match.valid_resource(path)
	not _encoded_dot_segment(path)
}

_encoded_dot_segment(path) if {
	some seg in split(path, "/")
	count(seg) > 2
	replace(lower(seg), "%2e", ".") in {".", ".."}
}
