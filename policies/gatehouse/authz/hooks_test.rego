package gatehouse.authz_test

import data.gatehouse.authz
import data.gatehouse.testutil

# Decisions with the hooks of gatehouse.hooks set through `with`.

_hook_fixture := testutil.index({
	"roles": {"reader": {"active": true, "permissions": [_perm("read", ["read"])]}},
	"users": {"ann": {"groups": [], "grants": [_grant("record", "rec-ann", "reader", "accounts/A")]}},
	"installations": {
		"inst": _install("ext", "ACTIVE", ["accounts/A", "accounts/X"], [["read"]]),
		"inst-off": _install("ext", "DISABLED", ["accounts/X"], [["read"]]),
	},
	"extensions": {"ext": {"permissions": [["read"], ["write"]]}},
})

_hook_decide(req, deny, allow) := x if {
	x := authz.decision with input as req
		with data.gatehouse.index as _hook_fixture
		with data.gatehouse.hooks.deny as deny
		with data.gatehouse.hooks.allow as allow
		with time.now_ns as 1000
}

_hook_failures(req, deny, allow) := x if {
	x := authz.failures with input as req
		with data.gatehouse.index as _hook_fixture
		with data.gatehouse.hooks.deny as deny
		with data.gatehouse.hooks.allow as allow
		with time.now_ns as 1000
}

_hook_denied_by(req, deny, allow) := x if {
	x := authz.denied_by with input as req
		with data.gatehouse.index as _hook_fixture
		with data.gatehouse.hooks.deny as deny
		with data.gatehouse.hooks.allow as allow
		with time.now_ns as 1000
}

_hook_rec_ann := {"kind": "record", "id": "rec-ann", "role": "reader", "resource": "accounts/A"}

_hook_policy(id, resource) := {"kind": "policy", "id": id, "resource": resource}

# deny hooks

test_hook_deny_narrows_an_allowed_decision if {
	req := {"user": "ann", "resource": "accounts/A/1", "permission": "read"}
	_hook_decide(req, set(), set()) == _allowed([_hook_rec_ann])
	_hook_decide(req, {"frozen"}, set()) == _denied("policy")
	not authz.allow with input as req
		with data.gatehouse.index as _hook_fixture
		with data.gatehouse.hooks.deny as {"frozen"}
		with time.now_ns as 1000
}

test_hook_deny_comes_after_the_model_sides if {
	_hook_decide({"user": "bob", "resource": "accounts/A", "permission": "read"}, {"no"}, set()) == _denied("user")
	_hook_decide({"installation": "inst-off", "resource": "accounts/X", "permission": "read"}, {"no"}, set()) == _denied("installation_status")
	_hook_decide({"installation": "inst", "resource": "accounts/B", "permission": "read"}, {"no"}, set()) == _denied("installation_scope")
	_hook_decide({"installation": "inst", "resource": "accounts/A", "permission": "write"}, {"no"}, set()) == _denied("consent")
	_hook_decide({"installation": "inst", "resource": "accounts/A", "permission": "read"}, {"no"}, set()) == _denied("policy")
}

test_hook_deny_never_masks_invalid_input if {
	_hook_decide({"resource": "accounts/A", "permission": "read"}, {"no"}, {"yes"}) == _invalid
}

test_hook_deny_counts_any_member if {
	_hook_decide({"user": "ann", "resource": "accounts/A", "permission": "read"}, {{"why": 1}}, set()) == _denied("policy")
	_hook_decide({"user": "ann", "resource": "accounts/A", "permission": "read"}, {false}, set()) == _denied("policy")
}

test_hook_deny_in_failures_and_denied_by if {
	req := {"user": "ann", "resource": "accounts/A", "permission": "read"}
	_hook_failures(req, {"no"}, set()) == {"policy"}
	_hook_denied_by(req, {"no"}, set()) == "policy"
	_hook_failures({"user": "bob", "resource": "accounts/A", "permission": "read"}, {"no"}, set()) == {"user", "policy"}
}

# allow hooks

test_hook_allow_turns_a_user_deny_into_an_allow if {
	req := {"user": "bob", "resource": "/accounts/X/", "permission": "read"}
	_hook_decide(req, set(), set()) == _denied("user")
	_hook_decide(req, set(), {"break-glass"}) == _allowed([_hook_policy("break-glass", "accounts/X")])
	_hook_failures(req, set(), {"break-glass"}) == set()
}

test_hook_allow_is_reported_beside_grants if {
	req := {"user": "ann", "resource": "accounts/A", "permission": "read"}
	_hook_decide(req, set(), {"extra"}) == _allowed([_hook_policy("extra", "accounts/A"), _hook_rec_ann])
}

test_hook_allow_ignores_non_strings if {
	req := {"user": "bob", "resource": "accounts/X", "permission": "read"}
	_hook_decide(req, set(), {true, 1, {"id": "x"}}) == _denied("user")
	_hook_failures(req, set(), {true}) == {"user"}
}

test_hook_allow_never_passes_the_installation_checks if {
	allow := {"break-glass"}
	_hook_decide({"user": "bob", "installation": "inst-off", "resource": "accounts/X", "permission": "read"}, set(), allow) == _denied("installation_status")
	_hook_decide({"user": "bob", "installation": "inst", "resource": "accounts/B", "permission": "read"}, set(), allow) == _denied("installation_scope")
	_hook_decide({"user": "bob", "installation": "inst", "resource": "accounts/X", "permission": "write"}, set(), allow) == _denied("consent")
	_hook_decide({"user": "bob", "installation": "inst", "resource": "accounts/X", "permission": "read"}, set(), allow) == _allowed([
		_hook_policy("break-glass", "accounts/X"),
		{"kind": "installation", "id": "inst", "resource": "accounts/X"},
	])
}

test_hook_allow_is_not_for_an_installation_alone if {
	req := {"installation": "inst", "resource": "accounts/X", "permission": "read"}
	_hook_decide(req, set(), {"break-glass"}) == _allowed([{"kind": "installation", "id": "inst", "resource": "accounts/X"}])
	_hook_decide({"installation": "inst", "resource": "accounts/B", "permission": "read"}, set(), {"x"}) == _denied("installation_scope")
}

test_hook_deny_beats_allow if {
	_hook_decide({"user": "bob", "resource": "accounts/X", "permission": "read"}, {"no"}, {"yes"}) == _denied("policy")
}
