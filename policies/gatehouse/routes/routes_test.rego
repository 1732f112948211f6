package gatehouse.routes_test

import data.gatehouse.routes
import data.gatehouse.testutil

_route(app, resource, pattern, prefix, methods) := {
	"app": app, "resource": resource, "pattern": pattern,
	"prefix": prefix, "methods": methods,
}

# Tenant t1: the participants app, then zeta with an unanchored route
# (filed under "") before a catch-all. Routes are in match order.
_routes := {"t1": {
	"routes": [
		_route("platform:participants", "participants", `^/v1/participants(/[^/]+)?$`, "/v1/participants", {"GET": "participants.read", "POST": "participants.write", "DELETE": ""}),
		_route("platform:zeta", "health", `health`, "", {"GET": "health.read"}),
		_route("platform:zeta", "catch-all", `^/v1/`, "/v1/", {"GET": "all.read", "PATCH": "all.patch"}),
	],
	"by_prefix": {"/v1/": [0, 2], "": [1]},
}}

_fixture := {
	"roles": {"viewer": {"active": true, "permissions": [{"action": "participants.read", "segs": ["participants.read"], "allow": true, "grant": false, "delegate": false}]}},
	"users": {"ann": {"groups": [], "grants": [{
		"kind": "record", "id": "rec-1", "role": "viewer",
		"resource": "tenants/t1/apps/platform:participants",
		"segs": ["tenants", "t1", "apps", "platform:participants"],
	}]}},
	"routes": _routes,
}

_decide(req) := d if {
	d := routes.decision with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 1000
}

_req(method, path) := {"tenant": "t1", "method": method, "path": path, "user": "ann"}

_deny(side) := {"allowed": false, "reasons": [], "denied_by": side, "route": null}

test_allowed_with_route if {
	_decide(_req("GET", "/v1/participants/p1")) == {
		"allowed": true,
		"reasons": [{"kind": "record", "id": "rec-1", "role": "viewer", "resource": "tenants/t1/apps/platform:participants"}],
		"denied_by": null,
		"route": {"app": "platform:participants", "resource": "participants", "permission": "participants.read"},
	}
}

test_denied_by_the_user_keeps_the_route if {
	_decide(_req("POST", "/v1/participants")) == {
		"allowed": false, "reasons": [], "denied_by": "user",
		"route": {"app": "platform:participants", "resource": "participants", "permission": "participants.write"},
	}
}

test_allowed_method_without_permission_is_no_route if {
	_decide(_req("DELETE", "/v1/participants/p1")) == _deny("no_route")
}

test_method_not_allowed_falls_through if {
	routes.route.permission == "all.patch" with input as _req("PATCH", "/v1/participants/p1")
		with data.gatehouse.index.routes as _routes
}

test_first_route_in_order_wins_across_prefix_keys if {
	# /v1/health matches the unanchored route 1 (filed under "") and the
	# catch-all 2 (filed under "/v1/"): 1 comes first.
	routes.route.resource == "health" with input as _req("GET", "/v1/health")
		with data.gatehouse.index.routes as _routes
}

test_pattern_anchored_as_written if {
	routes.route.resource == "catch-all" with input as _req("GET", "/v1/participants/p1/x")
		with data.gatehouse.index.routes as _routes
}

test_no_route if {
	_decide(_req("GET", "/v2/participants")) == _deny("no_route")
	_decide(_req("HEAD", "/v1/participants")) == _deny("no_route")
	_decide(object.union(_req("GET", "/v1/participants"), {"tenant": "t2"})) == _deny("no_route")
}

test_app_subject_input if {
	routes.decision_input({"tenant": "t1", "app": "platform:zeta", "method": "GET", "path": "/"}, {"app": "platform:participants", "permission": "participants.read"}) == {
		"app": "platform:zeta", "tenant": "t1",
		"resource": "tenants/t1/apps/platform:participants",
		"permission": "participants.read",
	}
}

test_user_subject_input if {
	routes.decision_input(_req("GET", "/"), {"app": "platform:participants", "permission": "participants.read"}) == {
		"user": "ann",
		"resource": "tenants/t1/apps/platform:participants",
		"permission": "participants.read",
	}
}

test_path_keys if {
	routes.path_keys("/v1/a/") == {"", "/", "/v1/", "/v1/a/"}
	routes.path_keys("/") == {"", "/"}
}

test_invalid_input if {
	every req in [
		"not an object",
		{},
		{"tenant": "t1", "method": "GET", "path": "/v1/participants"},
		object.union(_req("GET", "/v1/participants"), {"app": "platform:zeta"}),
		object.union(_req("GET", "/v1/participants"), {"resource": "x"}),
		object.union(_req("GET", "/v1/participants"), {"user": " "}),
		object.union(_req("GET", "/v1/participants"), {"user": null}),
		object.union(_req("GET", "/v1/participants"), {"tenant": "t1/x"}),
		object.union(_req("GET", "/v1/participants"), {"tenant": ".."}),
		object.union(_req("GET", "/v1/participants"), {"tenant": 1}),
		_req("get", "/v1/participants"),
		_req("PROPFIND", "/v1/participants"),
		_req("GET", "v1/participants"),
		_req("GET", "/v1/participants?x=1"),
		_req("GET", "/v1/participants#x"),
		_req("GET", "/v1//participants"),
		_req("GET", "/v1/../participants"),
		_req("GET", "/v1/%2E%2e/participants"),
		_req("GET", "/v1/%2e"),
		_req("GET", "/v1/\u0007"),
		_req("GET", 7),
	] {
		_decide(req) == _deny("invalid_input")
	}
}

test_valid_paths if {
	routes.valid_path("/")
	routes.valid_path("/v1/participants/")
	routes.valid_path("/v1/%2e%2ex")
}
