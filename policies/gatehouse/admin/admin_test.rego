package gatehouse.admin_test

import data.gatehouse.admin
import data.gatehouse.testutil

# Role permissions, as the loader renders them; testutil.index adds the
# lookup keys (allows, allows_wild) the loader derives from them.

_perm(action, segs, grant, delegate) := {"action": action, "segs": segs, "allow": true, "grant": grant, "delegate": delegate}

_read_projects := _perm("read:projects", ["read", "projects"], false, false)

_write_projects := _perm("write:projects", ["write", "projects"], false, false)

_grant_read_projects := _perm("read:projects", ["read", "projects"], true, false)

_grant_read_any := _perm("read:*", ["read"], true, false)

_delegate_read_any := _perm("read:*", ["read"], true, true)

_everything := _perm("*", [], true, true)

# Grants, listed per user and group; testutil.index files them by resource
# as the loader does.

_grant(id, role, resource, segs) := {"kind": "record", "id": id, "role": role, "resource": resource, "segs": segs}

_fixture := {
	"roles": {
		# What is given.
		"viewer": {"active": true, "permissions": [_read_projects]},
		"editor": {"active": true, "permissions": [_write_projects]},
		"lead": {"active": true, "permissions": [_grant_read_projects]},
		"deleg_only": {"active": true, "permissions": [_perm("read:projects", ["read", "projects"], false, true)]},
		"reader_all": {"active": true, "permissions": [_perm("read:*", ["read"], false, false)]},
		"viewer_editor": {"active": true, "permissions": [_read_projects, _write_projects]},
		"hollow": {"active": true, "permissions": []},
		# What givers hold.
		"read_granter": {"active": true, "permissions": [_grant_read_any, _write_projects]},
		"lead_holder": {"active": true, "permissions": [_grant_read_projects]},
		"delegator": {"active": true, "permissions": [_delegate_read_any]},
		"deleg_holder": {"active": true, "permissions": [_perm("read:*", ["read"], false, true)]},
		"root": {"active": true, "permissions": [_everything]},
		"any_reader": {"active": true, "permissions": [_perm("*:read", ["*", "read"], true, false)]},
		"retired": {"active": false, "permissions": [_everything]},
		"muted": {"active": true, "permissions": [{
			"action": "read:*", "segs": ["read"],
			"allow": false, "grant": true, "delegate": true,
		}]},
		"installer": {"active": true, "permissions": [
			_perm("extensions:install", ["extensions", "install"], false, false),
			_perm("read:*", ["read"], false, false),
		]},
	},
	"users": {
		"giver": {"groups": [], "grants": [_grant("r-giver", "read_granter", "accounts/A", ["accounts", "A"])]},
		"wide": {"groups": [], "grants": [_grant("r-wide", "read_granter", "accounts/*", ["accounts", "*"])]},
		"narrow": {"groups": [], "grants": [_grant("r-narrow", "read_granter", "accounts/A/chats", ["accounts", "A", "chats"])]},
		"lead_only": {"groups": [], "grants": [_grant("r-lead", "lead_holder", "accounts/A", ["accounts", "A"])]},
		"delegate": {"groups": [], "grants": [_grant("r-delegate", "delegator", "accounts/A", ["accounts", "A"])]},
		"deleg_holder": {"groups": [], "grants": [_grant("r-deleg", "deleg_holder", "accounts/A", ["accounts", "A"])]},
		"root": {"groups": [], "grants": [_grant("r-root", "root", "*", ["*"])]},
		"any_reader": {"groups": [], "grants": [_grant("r-any", "any_reader", "accounts/A", ["accounts", "A"])]},
		"retired": {"groups": [], "grants": [_grant("r-retired", "retired", "accounts/A", ["accounts", "A"])]},
		"muted": {"groups": [], "grants": [_grant("r-muted", "muted", "accounts/A", ["accounts", "A"])]},
		"ghost_role": {"groups": [], "grants": [_grant("r-ghost", "no-such-role", "accounts/A", ["accounts", "A"])]},
		"expiring": {"groups": [], "grants": [object.union(
			_grant("m-expiring", "root", "accounts/A", ["accounts", "A"]),
			{"kind": "membership", "expires": 5000},
		)]},
		"member": {"groups": ["admins"], "grants": []},
		"installer": {"groups": [], "grants": [_grant("r-installer", "installer", "accounts/A", ["accounts", "A"])]},
	},
	"groups": {"admins": {"grants": [_grant("r-admins", "root", "accounts/G", ["accounts", "G"])]}},
	"installations": {},
	"extensions": {},
}

_give(user, grants) := missing if {
	missing := admin.missing_to_give with input as {"user": user, "grants": grants}
		with data.gatehouse.index as testutil.index(_fixture)
}

_missing(role, action, resource, needs) := {"role": role, "action": action, "resource": resource, "needs": needs}

# missing_to_give

test_give_nothing_missing_with_grant if {
	_give("giver", [{"role": "viewer", "resource": "accounts/A"}]) == set()
}

test_give_nothing_missing_below_the_grant if {
	_give("giver", [{"role": "viewer", "resource": "accounts/A/chats/1"}]) == set()
}

test_give_nothing_missing_with_slashes_around_resource if {
	_give("giver", [{"role": "viewer", "resource": "/accounts/A/"}]) == set()
}

test_give_missing_without_grant if {
	_give("giver", [{"role": "editor", "resource": "accounts/A"}]) == {_missing("editor", "write:projects", "accounts/A", "grant")}
}

test_give_missing_only_the_permissions_lacking_grant if {
	_give("giver", [{"role": "viewer_editor", "resource": "accounts/A"}]) == {_missing("viewer_editor", "write:projects", "accounts/A", "grant")}
}

test_give_missing_per_role_and_resource if {
	got := _give("giver", [
		{"role": "viewer", "resource": "accounts/A"},
		{"role": "viewer", "resource": "accounts/B"},
		{"role": "editor", "resource": "accounts/A"},
	])
	got == {
		_missing("viewer", "read:projects", "accounts/B", "grant"),
		_missing("editor", "write:projects", "accounts/A", "grant"),
	}
}

test_give_permission_carrying_grant_needs_delegate if {
	_give("giver", [{"role": "lead", "resource": "accounts/A"}]) == {_missing("lead", "read:projects", "accounts/A", "delegate")}
}

test_give_permission_carrying_grant_not_by_its_own_holder if {
	# Holding grant on read:projects is not delegate: lead cannot be passed on.
	_give("lead_only", [{"role": "lead", "resource": "accounts/A"}]) == {_missing("lead", "read:projects", "accounts/A", "delegate")}
	_give("lead_only", [{"role": "viewer", "resource": "accounts/A"}]) == set()
}

test_give_permission_carrying_only_delegate_needs_delegate if {
	# Otherwise a holder of grant alone gives themselves delegate, then grant to anyone.
	_give("giver", [{"role": "deleg_only", "resource": "accounts/A"}]) == {_missing("deleg_only", "read:projects", "accounts/A", "delegate")}
	_give("delegate", [{"role": "deleg_only", "resource": "accounts/A"}]) == set()
}

test_give_permission_carrying_grant_with_delegate if {
	_give("delegate", [{"role": "lead", "resource": "accounts/A"}]) == set()
	_give("delegate", [{"role": "lead", "resource": "accounts/B"}]) == {
		_missing("lead", "read:projects", "accounts/B", "grant"),
		_missing("lead", "read:projects", "accounts/B", "delegate"),
	}
}

test_give_missing_outside_the_grant if {
	_give("giver", [{"role": "viewer", "resource": "accounts/B"}]) == {_missing("viewer", "read:projects", "accounts/B", "grant")}
}

test_give_missing_on_resource_broader_than_the_grant if {
	_give("narrow", [{"role": "viewer", "resource": "accounts/A/chats/1"}]) == set()
	_give("narrow", [{"role": "viewer", "resource": "accounts/A"}]) == {_missing("viewer", "read:projects", "accounts/A", "grant")}
	_give("narrow", [{"role": "viewer", "resource": "accounts/A/chatsx"}]) == {_missing("viewer", "read:projects", "accounts/A/chatsx", "grant")}
}

test_give_missing_on_star_in_given_resource if {
	# A "*" in the given resource reaches every account, not only A.
	_give("giver", [{"role": "viewer", "resource": "accounts/*"}]) == {_missing("viewer", "read:projects", "accounts/*", "grant")}
	_give("giver", [{"role": "viewer", "resource": "accounts/*/chats"}]) == {_missing("viewer", "read:projects", "accounts/*/chats", "grant")}
}

test_give_wildcard_pattern_covers_resource if {
	_give("wide", [
		{"role": "viewer", "resource": "accounts/A"},
		{"role": "viewer", "resource": "accounts/B/chats/1"},
		{"role": "viewer", "resource": "accounts/*"},
	]) == set()
}

test_give_wildcard_pattern_not_above_itself if {
	_give("wide", [{"role": "viewer", "resource": "accounts"}]) == {_missing("viewer", "read:projects", "accounts", "grant")}
	_give("wide", [{"role": "viewer", "resource": "customers/c1"}]) == {_missing("viewer", "read:projects", "customers/c1", "grant")}
}

test_give_star_action_and_star_resource_cover_everything if {
	_give("root", [
		{"role": "viewer", "resource": "accounts/A"},
		{"role": "editor", "resource": "customers/c1/projects/p1"},
		{"role": "lead", "resource": "accounts/B"},
		{"role": "reader_all", "resource": "accounts/*/chats"},
	]) == set()
}

test_give_read_star_covers_read_projects if {
	_give("giver", [{"role": "viewer", "resource": "accounts/A"}]) == set()
	_give("giver", [{"role": "reader_all", "resource": "accounts/A"}]) == set()
}

test_give_narrower_action_does_not_cover_broader if {
	# Grant on read:projects does not reach read:* nor write:projects.
	_give("lead_only", [{"role": "reader_all", "resource": "accounts/A"}]) == {_missing("reader_all", "read:*", "accounts/A", "grant")}
	_give("lead_only", [{"role": "editor", "resource": "accounts/A"}]) == {_missing("editor", "write:projects", "accounts/A", "grant")}
}

test_give_leading_star_action_pattern if {
	_give("any_reader", [{"role": "viewer", "resource": "accounts/A"}]) == {_missing("viewer", "read:projects", "accounts/A", "grant")}
	index := json.patch(_fixture, [{"op": "add", "path": "/roles/project_reader", "value": {
		"active": true,
		"permissions": [_perm("projects:read", ["projects", "read"], false, false)],
	}}])
	got := admin.missing_to_give with input as {"user": "any_reader", "grants": [{"role": "project_reader", "resource": "accounts/A"}]}
		with data.gatehouse.index as testutil.index(index)
	got == set()
}

test_give_missing_through_inactive_role if {
	_give("retired", [{"role": "viewer", "resource": "accounts/A"}]) == {_missing("viewer", "read:projects", "accounts/A", "grant")}
	index := json.patch(_fixture, [{"op": "replace", "path": "/roles/retired/active", "value": true}])
	got := admin.missing_to_give with input as {"user": "retired", "grants": [{"role": "viewer", "resource": "accounts/A"}]}
		with data.gatehouse.index as testutil.index(index)
	got == set()
}

test_give_missing_through_expired_grant if {
	given := {"user": "expiring", "grants": [{"role": "viewer", "resource": "accounts/A"}]}
	before := admin.missing_to_give with input as given with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 4999
	before == set()
	at := admin.missing_to_give with input as given with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 5000
	at == {_missing("viewer", "read:projects", "accounts/A", "grant")}
}

test_give_missing_through_unknown_role_of_giver if {
	_give("ghost_role", [{"role": "viewer", "resource": "accounts/A"}]) == {_missing("viewer", "read:projects", "accounts/A", "grant")}
}

test_give_through_permission_with_allow_false if {
	# grant and delegate stand on their own; allow: false only stops the holder's own use.
	_give("muted", [{"role": "lead", "resource": "accounts/A"}]) == set()
}

test_give_through_group if {
	_give("member", [{"role": "lead", "resource": "accounts/G/x"}]) == set()
	_give("member", [{"role": "lead", "resource": "accounts/A"}]) == {
		_missing("lead", "read:projects", "accounts/A", "grant"),
		_missing("lead", "read:projects", "accounts/A", "delegate"),
	}
}

test_give_permission_carrying_grant_needs_grant_too if {
	# Delegate alone does not hand out the permission itself: else its
	# holder gives lead to a friend, who gives the holder viewer.
	_give("deleg_holder", [{"role": "lead", "resource": "accounts/A"}]) == {_missing("lead", "read:projects", "accounts/A", "grant")}
	_give("deleg_holder", [{"role": "viewer", "resource": "accounts/A"}]) == {_missing("viewer", "read:projects", "accounts/A", "grant")}
}

test_give_unknown_user_misses_everything if {
	_give("nobody", [{"role": "viewer_editor", "resource": "accounts/A"}]) == {
		_missing("viewer_editor", "read:projects", "accounts/A", "grant"),
		_missing("viewer_editor", "write:projects", "accounts/A", "grant"),
	}
}

test_give_role_without_permissions if {
	_give("nobody", [{"role": "hollow", "resource": "accounts/A"}]) == set()
}

test_give_nothing if {
	_give("nobody", []) == set()
}

# missing_to_install

_install(user, context, consented) := missing if {
	missing := admin.missing_to_install with input as {"user": user, "context": context, "consented": consented}
		with data.gatehouse.index as testutil.index(_fixture)
}

_consent(action, segs) := {"action": action, "segs": segs}

_install_missing(action, resource) := {"action": action, "resource": resource, "needs": "allow"}

test_install_holds_everything if {
	_install("installer", "accounts/A", [
		_consent("read:projects", ["read", "projects"]),
		_consent("read:*", ["read"]),
	]) == set()
}

test_install_below_the_grant if {
	_install("installer", "accounts/A/chats", [_consent("read:chats", ["read", "chats"])]) == set()
}

test_install_without_consent if {
	_install("installer", "accounts/A", []) == set()
}

test_install_missing_install_permission if {
	_install("giver", "accounts/A", [_consent("read:projects", ["read", "projects"])]) == {_install_missing("extensions:install", "accounts/A")}
}

test_install_missing_consent_per_action if {
	got := _install("installer", "accounts/A", [
		_consent("read:projects", ["read", "projects"]),
		_consent("write:projects", ["write", "projects"]),
		_consent("delete", ["delete"]),
	])
	got == {
		_install_missing("write:projects", "accounts/A"),
		_install_missing("delete", "accounts/A"),
	}
}

test_install_missing_broader_consent if {
	# Holding read:* does not let the installer consent to everything.
	_install("installer", "accounts/A", [_consent("*", [])]) == {_install_missing("*", "accounts/A")}
}

test_install_missing_both if {
	got := _install("lead_only", "accounts/A", [
		_consent("read:projects", ["read", "projects"]),
		_consent("read:*", ["read"]),
	])
	got == {
		_install_missing("extensions:install", "accounts/A"),
		_install_missing("read:*", "accounts/A"),
	}
}

test_install_missing_outside_the_grant if {
	got := _install("installer", "accounts/B", [_consent("read:projects", ["read", "projects"])])
	got == {
		_install_missing("extensions:install", "accounts/B"),
		_install_missing("read:projects", "accounts/B"),
	}
}

test_install_missing_through_inactive_role if {
	_install("retired", "accounts/A", []) == {_install_missing("extensions:install", "accounts/A")}
}

test_install_missing_through_expired_grant if {
	given := {"user": "expiring", "context": "accounts/A", "consented": [_consent("read", ["read"])]}
	before := admin.missing_to_install with input as given with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 4999
	before == set()
	at := admin.missing_to_install with input as given with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 5000
	at == {_install_missing("extensions:install", "accounts/A"), _install_missing("read", "accounts/A")}
}

test_install_missing_with_allow_false if {
	# muted holds grant and delegate on read:* but is not allowed to read.
	_install("muted", "accounts/A", [_consent("read:projects", ["read", "projects"])]) == {
		_install_missing("extensions:install", "accounts/A"),
		_install_missing("read:projects", "accounts/A"),
	}
}

# needed_flags

test_needed_flags_grant if admin.needed_flags(_read_projects) == {"grant"}

test_needed_flags_delegate if admin.needed_flags(_grant_read_projects) == {"grant", "delegate"}

test_needed_flags_delegate_for_delegate_without_grant if {
	# Its holder could hand out grant, so giving it takes delegate too.
	admin.needed_flags(_perm("read", ["read"], false, true)) == {"grant", "delegate"}
}

test_needed_flags_delegate_for_grant_and_delegate if {
	admin.needed_flags(_delegate_read_any) == {"grant", "delegate"}
}

# holds

test_holds_grant if {
	admin.holds("giver", ["read", "projects"], ["accounts", "A", "x"], "grant") with data.gatehouse.index as testutil.index(_fixture)
}

test_holds_allow_without_grant if {
	admin.holds("giver", ["write", "projects"], ["accounts", "A"], "allow") with data.gatehouse.index as testutil.index(_fixture)
	not admin.holds("giver", ["write", "projects"], ["accounts", "A"], "grant") with data.gatehouse.index as testutil.index(_fixture)
}

test_holds_not_delegate_without_it if {
	not admin.holds("giver", ["read", "projects"], ["accounts", "A"], "delegate") with data.gatehouse.index as testutil.index(_fixture)
	admin.holds("delegate", ["read", "projects"], ["accounts", "A"], "delegate") with data.gatehouse.index as testutil.index(_fixture)
}

test_holds_not_outside_resource if {
	not admin.holds("giver", ["read", "projects"], ["accounts", "B"], "grant") with data.gatehouse.index as testutil.index(_fixture)
	not admin.holds("giver", ["read", "projects"], ["accounts"], "grant") with data.gatehouse.index as testutil.index(_fixture)
}

test_holds_star_resource_and_action if {
	admin.holds("root", ["anything", "at", "all"], ["x", "y"], "delegate") with data.gatehouse.index as testutil.index(_fixture)
	admin.holds("root", [], ["x"], "grant") with data.gatehouse.index as testutil.index(_fixture)
}

test_holds_leading_star_action if {
	admin.holds("any_reader", ["projects", "read"], ["accounts", "A"], "grant") with data.gatehouse.index as testutil.index(_fixture)
	not admin.holds("any_reader", ["projects", "write"], ["accounts", "A"], "grant") with data.gatehouse.index as testutil.index(_fixture)
}

test_holds_not_allow_false if {
	not admin.holds("muted", ["read", "projects"], ["accounts", "A"], "allow") with data.gatehouse.index as testutil.index(_fixture)
	admin.holds("muted", ["read", "projects"], ["accounts", "A"], "grant") with data.gatehouse.index as testutil.index(_fixture)
}

test_holds_not_through_inactive_or_unknown_role if {
	not admin.holds("retired", ["read"], ["accounts", "A"], "allow") with data.gatehouse.index as testutil.index(_fixture)
	not admin.holds("ghost_role", ["read"], ["accounts", "A"], "allow") with data.gatehouse.index as testutil.index(_fixture)
}

test_holds_through_group if {
	admin.holds("member", ["read"], ["accounts", "G"], "delegate") with data.gatehouse.index as testutil.index(_fixture)
	not admin.holds("member", ["read"], ["accounts", "H"], "delegate") with data.gatehouse.index as testutil.index(_fixture)
}

test_holds_until_expiry if {
	admin.holds("expiring", ["read"], ["accounts", "A"], "allow") with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 4999
	not admin.holds("expiring", ["read"], ["accounts", "A"], "allow") with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 5000
}

test_holds_not_for_unknown_user if {
	not admin.holds("nobody", ["read"], ["accounts", "A"], "allow") with data.gatehouse.index as testutil.index(_fixture)
}
