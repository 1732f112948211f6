package gatehouse.authz_test

import data.gatehouse.authz
import data.gatehouse.testutil

# Decisions for an app as a principal: {"app", "tenant"} with the grants
# of the onboarding tenantId/appId.

_app_fixture := {
	"roles": {
		"dir-reader": {"active": true, "permissions": [_perm("directory:read", ["directory", "read"])]},
		"dir-retired": {"active": false, "permissions": [_perm("*", [])]},
	},
	"users": {"alice": {"groups": [], "grants": [_grant("record", "rec-a", "dir-reader", "tenants/t1/apps/platform:dir")]}},
	"apps": {
		"t1/platform:x": {"grants": [
			_grant("onboarding", "t1/platform:x", "dir-reader", "tenants/t1/apps/platform:dir"),
			_grant("onboarding", "t1/platform:x", "dir-retired", "tenants/t1/apps/platform:old"),
		]},
		"t2/platform:x": {"grants": [_grant("onboarding", "t2/platform:x", "dir-reader", "tenants/t2/apps/platform:dir")]},
	},
}

_app_decide(req) := d if {
	d := authz.decision with input as req with data.gatehouse.index as testutil.index(_app_fixture) with time.now_ns as 1000
}

_app_req(app, tenant, resource, permission) := {"app": app, "tenant": tenant, "resource": resource, "permission": permission}

_x_t1_reason := {"kind": "onboarding", "id": "t1/platform:x", "role": "dir-reader", "resource": "tenants/t1/apps/platform:dir"}

test_app_allowed_by_onboarding_grant if {
	d := _app_decide(_app_req("platform:x", "t1", "tenants/t1/apps/platform:dir/people/7", "Directory:Read"))
	d == _allowed([_x_t1_reason])
	authz.allow with input as _app_req("platform:x", "t1", "tenants/t1/apps/platform:dir", "directory:read")
		with data.gatehouse.index as testutil.index(_app_fixture)
}

test_app_denied_action_not_implied if {
	_app_decide(_app_req("platform:x", "t1", "tenants/t1/apps/platform:dir", "directory:write")) == _denied("app")
}

test_app_denied_resource_not_covered if {
	_app_decide(_app_req("platform:x", "t1", "tenants/t1/apps/platform:other", "directory:read")) == _denied("app")
}

test_app_denied_inactive_role if {
	_app_decide(_app_req("platform:x", "t1", "tenants/t1/apps/platform:old", "anything")) == _denied("app")
}

test_app_denied_in_another_tenant if {
	# t1's onboarding never reaches t2's resources, and t2's grants are not t1's.
	_app_decide(_app_req("platform:x", "t1", "tenants/t2/apps/platform:dir", "directory:read")) == _denied("app")
	_app_decide(_app_req("platform:x", "t2", "tenants/t1/apps/platform:dir", "directory:read")) == _denied("app")
}

test_app_allowed_in_its_other_tenant if {
	d := _app_decide(_app_req("platform:x", "t2", "tenants/t2/apps/platform:dir", "directory:read"))
	d.allowed
	d.reasons == [{"kind": "onboarding", "id": "t2/platform:x", "role": "dir-reader", "resource": "tenants/t2/apps/platform:dir"}]
}

test_app_not_onboarded_denied if {
	_app_decide(_app_req("platform:y", "t1", "tenants/t1/apps/platform:dir", "directory:read")) == _denied("app")
	_app_decide(_app_req("platform:x", "t3", "tenants/t3/apps/platform:dir", "directory:read")) == _denied("app")
}

test_app_user_grants_do_not_count if {
	# alice holds the same role there; the app does not hold alice's grants.
	_app_decide(_app_req("platform:y", "t1", "tenants/t1/apps/platform:dir", "directory:read")) == _denied("app")
}

test_app_failures_list_app if {
	fs := authz.failures with input as _app_req("platform:y", "t1", "tenants/t1/apps/platform:dir", "directory:read")
		with data.gatehouse.index as testutil.index(_app_fixture) with time.now_ns as 1000
	fs == {"app"}
}

test_app_failures_none_when_allowed if {
	fs := authz.failures with input as _app_req("platform:x", "t1", "tenants/t1/apps/platform:dir", "directory:read")
		with data.gatehouse.index as testutil.index(_app_fixture) with time.now_ns as 1000
	fs == set()
}

# Which subjects combine with app and tenant.

test_app_without_tenant_invalid if {
	_app_decide({"app": "platform:x", "resource": "tenants/t1", "permission": "read"}) == _invalid
}

test_tenant_without_app_invalid if {
	_app_decide({"tenant": "t1", "resource": "tenants/t1", "permission": "read"}) == _invalid
}

test_app_with_user_invalid if {
	_app_decide(object.union(_app_req("platform:x", "t1", "tenants/t1/apps/platform:dir", "directory:read"), {"user": "alice"})) == _invalid
}

test_app_with_installation_invalid if {
	_app_decide(object.union(_app_req("platform:x", "t1", "tenants/t1/apps/platform:dir", "directory:read"), {"installation": "i1"})) == _invalid
}

test_user_with_tenant_invalid if {
	_app_decide({"user": "alice", "tenant": "t1", "resource": "tenants/t1/apps/platform:dir", "permission": "directory:read"}) == _invalid
}

test_app_with_blank_user_invalid if {
	_app_decide(object.union(_app_req("platform:x", "t1", "tenants/t1/apps/platform:dir", "directory:read"), {"user": ""})) == _invalid
}

test_app_malformed_ids_invalid if {
	every app in ["Platform:x", "platform", "platform:x/y", "", null, 7, "platform:-x", "platform:x\u0000"] {
		_app_decide(_app_req(app, "t1", "tenants/t1/apps/platform:dir", "directory:read")) == _invalid
	}
	every tenant in ["t1/t2", ".", "..", "", " ", null, ["t1"], "t\u0085"] {
		_app_decide(_app_req("platform:x", tenant, "tenants/t1/apps/platform:dir", "directory:read")) == _invalid
	}
}

test_app_valid_unusual_ids if {
	# Any one-segment tenant id is valid (and here holds nothing).
	every tenant in ["T 1", "é", "t.1", "..."] {
		_app_decide(_app_req("platform:x", tenant, "tenants/t1/apps/platform:dir", "directory:read")) == _denied("app")
	}
}

# Hooks: deny hooks apply to apps; allow hooks speak for users only.

test_app_deny_hook_denies if {
	d := authz.decision with input as _app_req("platform:x", "t1", "tenants/t1/apps/platform:dir", "directory:read")
		with data.gatehouse.index as testutil.index(_app_fixture)
		with data.gatehouse.hooks.deny as {"no apps"}
		with time.now_ns as 1000
	d == _denied("policy")
}

test_app_allow_hook_does_not_allow if {
	d := authz.decision with input as _app_req("platform:y", "t1", "tenants/t1/apps/platform:dir", "directory:read")
		with data.gatehouse.index as testutil.index(_app_fixture)
		with data.gatehouse.hooks.allow as {"everyone"}
		with time.now_ns as 1000
	d == _denied("app")
}

test_false_subjects_are_present_and_invalid if {
	_app_decide(object.union(_app_req("platform:x", "t1", "tenants/t1/apps/platform:dir", "directory:read"), {"user": false})) == _invalid
	_app_decide(object.union(_app_req("platform:x", "t1", "tenants/t1/apps/platform:dir", "directory:read"), {"installation": false})) == _invalid
	_app_decide({"user": "alice", "app": false, "resource": "tenants/t1/apps/platform:dir", "permission": "directory:read"}) == _invalid
	_app_decide({"user": "alice", "tenant": false, "resource": "tenants/t1/apps/platform:dir", "permission": "directory:read"}) == _invalid
	_app_decide({"installation": "i1", "app": null, "resource": "tenants/t1/apps/platform:dir", "permission": "directory:read"}) == _invalid
}
