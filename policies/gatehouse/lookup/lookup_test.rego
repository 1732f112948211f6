package gatehouse.lookup_test

import data.gatehouse.lookup
import data.gatehouse.testutil

_grant(kind, id, role, resource) := {
	"kind": kind, "id": id, "role": role,
	"resource": resource, "segs": split(resource, "/"),
}

_expiring(grant, at) := object.union(grant, {"expires": at})

_flags(action, allow, grant, delegate) := {"action": action, "allow": allow, "grant": grant, "delegate": delegate}

_perm(action, segs, allow, grant, delegate) := object.union(_flags(action, allow, grant, delegate), {"segs": segs})

_fixture := {
	"roles": {
		"viewer": {"active": true, "permissions": [_perm("read:*", ["read"], true, false, false)]},
		"sharer": {"active": true, "permissions": [
			_perm("read:*", ["read"], false, true, false),
			_perm("write:notes", ["write", "notes"], true, true, true),
		]},
		"editor": {"active": true, "permissions": [_perm("write:notes", ["write", "notes"], true, false, false)]},
		"retired": {"active": false, "permissions": [_perm("*", [], true, true, true)]},
	},
	"users": {
		"dana": {"groups": ["team", "ghost-group"], "grants": [
			_grant("record", "rec-a", "viewer", "accounts/A"),
			_grant("record", "rec-a-chats", "sharer", "accounts/A/chats"),
			_grant("record", "rec-star", "viewer", "accounts/*/files"),
			_expiring(_grant("record", "rec-old", "viewer", "accounts/Old"), 1000),
			_grant("record", "rec-retired", "retired", "accounts/A"),
			_grant("record", "rec-ghost", "ghost-role", "accounts/A"),
			_grant("record", "rec-c1", "viewer", "customers/c1"),
			_grant("membership", "mem-top", "viewer", "customers/c1"),
			_grant("membership", "mem-top", "editor", "customers/c1"),
			_grant("membership", "mem-proj", "sharer", "customers/c1/projects/p1"),
			_grant("membership", "mem-deep", "viewer", "customers/c1/projects/p1/tasks"),
			_expiring(_grant("membership", "mem-expired", "editor", "customers/c1"), 1000),
			_grant("membership", "mem-retired", "retired", "customers/c1"),
			_grant("membership", "mem-other", "viewer", "customers/c2"),
		]},
		"erin": {"groups": [], "grants": []},
	},
	"groups": {"team": {"grants": [_grant("record", "rec-team", "editor", "accounts/A")]}},
	"installations": {},
	"extensions": {},
}

_permissions(req, now) := ps if {
	ps := lookup.permissions with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as now
}

_resources(req, now) := rs if {
	rs := lookup.resources with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as now
}

_memberships(req, now) := ms if {
	ms := lookup.memberships with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as now
}

_by_id(ms, id) := [m | some m in ms; m.id == id][0]

# permissions

test_permissions_merge_flags_over_covering_grants if {
	# viewer and sharer (direct) and editor (group) cover accounts/A/chats/1;
	# the inactive role and the unknown role give nothing.
	_permissions({"user": "dana", "resource": "accounts/A/chats/1"}, 2000) == [
		_flags("read:*", true, true, false),
		_flags("write:notes", true, true, true),
	]
}

test_permissions_only_grants_covering_resource if {
	_permissions({"user": "dana", "resource": "accounts/A"}, 2000) == [
		_flags("read:*", true, false, false),
		_flags("write:notes", true, false, false),
	]
}

test_permissions_star_pattern if {
	_permissions({"user": "dana", "resource": "accounts/Q/files/1"}, 2000) == [_flags("read:*", true, false, false)]
}

test_permissions_resource_slashes_ignored if {
	_permissions({"user": "dana", "resource": "/accounts/Q/files/"}, 2000) == [_flags("read:*", true, false, false)]
}

test_permissions_flags_not_merged_when_false if {
	# sharer alone: read:* is grant-only, not allowed.
	req := {"user": "dana", "resource": "accounts/A/chats"}
	index := json.patch(_fixture, [
		{"op": "replace", "path": "/roles/viewer/active", "value": false},
		{"op": "replace", "path": "/groups/team/grants", "value": []},
	])
	ps := lookup.permissions with input as req with data.gatehouse.index as testutil.index(index) with time.now_ns as 2000
	ps == [_flags("read:*", false, true, false), _flags("write:notes", true, true, true)]
}

test_permissions_none_on_unrelated_resource if {
	_permissions({"user": "dana", "resource": "accounts/Z"}, 2000) == []
}

test_permissions_expired_grant_excluded if {
	_permissions({"user": "dana", "resource": "accounts/Old"}, 1000) == []
}

test_permissions_live_grant_included if {
	_permissions({"user": "dana", "resource": "accounts/Old"}, 999) == [_flags("read:*", true, false, false)]
}

test_permissions_unknown_user if {
	_permissions({"user": "nobody", "resource": "accounts/A"}, 2000) == []
}

test_permissions_user_without_grants if {
	_permissions({"user": "erin", "resource": "accounts/A"}, 2000) == []
}

# merge_flags

test_merge_flags_any_entry_sets_flag if {
	held := [
		_perm("read:*", ["read"], true, false, false),
		_perm("read:*", ["read"], false, true, false),
		_perm("write", ["write"], false, false, true),
	]
	lookup.merge_flags("read:*", held) == _flags("read:*", true, true, false)
	lookup.merge_flags("write", held) == _flags("write", false, false, true)
}

test_merge_flags_absent_action_all_false if {
	lookup.merge_flags("delete", [_perm("read:*", ["read"], true, true, true)]) == _flags("delete", false, false, false)
}

# resources

test_resources_without_prefix if {
	_resources({"user": "dana", "permission": "read:x"}, 2000) == {
		"accounts/A", "accounts/*/files", "customers/c1",
		"customers/c1/projects/p1/tasks", "customers/c2",
	}
}

test_resources_empty_prefix_is_no_prefix if {
	req := {"user": "dana", "permission": "read:x"}
	_resources(object.union(req, {"prefix": ""}), 2000) == _resources(req, 2000)
}

test_resources_only_roles_allowing_the_permission if {
	# sharer holds write:notes on accounts/A/chats; its read:* is grant-only.
	_resources({"user": "dana", "permission": "write:notes"}, 2000) == {
		"accounts/A", "accounts/A/chats", "customers/c1", "customers/c1/projects/p1",
	}
}

test_resources_case_insensitive_permission if {
	_resources({"user": "dana", "permission": "WRITE:Notes"}, 2000) == {
		"accounts/A", "accounts/A/chats", "customers/c1", "customers/c1/projects/p1",
	}
}

test_resources_none_for_unheld_permission if {
	_resources({"user": "dana", "permission": "delete"}, 2000) == set()
}

test_resources_expired_grant_excluded if {
	not "accounts/Old" in _resources({"user": "dana", "permission": "read:x"}, 1000)
	"accounts/Old" in _resources({"user": "dana", "permission": "read:x"}, 999)
}

test_resources_unknown_user if {
	_resources({"user": "nobody", "permission": "read:x"}, 2000) == set()
}

test_resources_prefix_keeps_patterns_inside_and_covering if {
	# mem-top covers the prefix (yields the prefix); mem-proj is inside it.
	req := {"user": "dana", "permission": "write:notes", "prefix": "customers/c1/projects"}
	_resources(req, 2000) == {"customers/c1/projects", "customers/c1/projects/p1"}
}

test_resources_prefix_normalised if {
	req := {"user": "dana", "permission": "write:notes", "prefix": "/customers/c1/projects/"}
	_resources(req, 2000) == {"customers/c1/projects", "customers/c1/projects/p1"}
}

test_resources_prefix_equal_to_pattern if {
	req := {"user": "dana", "permission": "write:notes", "prefix": "accounts/A/chats"}
	_resources(req, 2000) == {"accounts/A/chats"}
}

test_resources_prefix_covered_by_star_pattern if {
	req := {"user": "dana", "permission": "read:x", "prefix": "accounts/B/files/1"}
	_resources(req, 2000) == {"accounts/B/files/1"}
}

test_resources_prefix_keeps_star_pattern_inside if {
	req := {"user": "dana", "permission": "read:x", "prefix": "accounts"}
	_resources(req, 2000) == {"accounts/A", "accounts/*/files"}
}

test_resources_prefix_drops_unrelated if {
	req := {"user": "dana", "permission": "read:x", "prefix": "customers/c9"}
	_resources(req, 2000) == set()
}

# within_prefix

test_within_prefix_no_prefix if {
	lookup.within_prefix(_grant("record", "r", "viewer", "accounts/A"), "") == "accounts/A"
}

test_within_prefix_inside if {
	lookup.within_prefix(_grant("record", "r", "viewer", "accounts/A/chats"), "accounts/A") == "accounts/A/chats"
}

test_within_prefix_covering if {
	lookup.within_prefix(_grant("record", "r", "viewer", "accounts/A"), "/accounts/A/chats/") == "accounts/A/chats"
}

test_within_prefix_unrelated if {
	not lookup.within_prefix(_grant("record", "r", "viewer", "accounts/A"), "accounts/B")
}

test_within_prefix_sibling_prefix_segment if {
	not lookup.within_prefix(_grant("record", "r", "viewer", "accounts/A"), "accounts/AB")
}

# memberships

test_memberships_at_and_above_context if {
	_memberships({"user": "dana", "context": "customers/c1/projects/p1"}, 2000) == [
		{
			"id": "mem-proj",
			"context": "customers/c1/projects/p1",
			"inherited": false,
			"roles": ["sharer"],
			"permissions": [_flags("read:*", false, true, false), _flags("write:notes", true, true, true)],
		},
		{
			"id": "mem-retired",
			"context": "customers/c1",
			"inherited": true,
			"roles": ["retired"],
			"permissions": [],
		},
		{
			"id": "mem-top",
			"context": "customers/c1",
			"inherited": true,
			"roles": ["editor", "viewer"],
			"permissions": [_flags("read:*", true, false, false), _flags("write:notes", true, false, false)],
		},
	]
}

test_memberships_at_context_not_inherited if {
	ms := _memberships({"user": "dana", "context": "customers/c1"}, 2000)
	{m.id | some m in ms} == {"mem-top", "mem-retired"}
	_by_id(ms, "mem-top").inherited == false
	_by_id(ms, "mem-top").context == "customers/c1"
}

test_memberships_context_slashes_ignored if {
	ms := _memberships({"user": "dana", "context": "/customers/c1/"}, 2000)
	_by_id(ms, "mem-top").inherited == false
}

test_memberships_below_context_excluded if {
	ms := _memberships({"user": "dana", "context": "customers/c1/projects/p1"}, 2000)
	not "mem-deep" in {m.id | some m in ms}
}

test_memberships_records_excluded if {
	ms := _memberships({"user": "dana", "context": "customers/c1"}, 2000)
	not "rec-c1" in {m.id | some m in ms}
}

test_memberships_other_context_excluded if {
	ms := _memberships({"user": "dana", "context": "customers/c1"}, 2000)
	not "mem-other" in {m.id | some m in ms}
}

test_memberships_expired_excluded if {
	ms := _memberships({"user": "dana", "context": "customers/c1"}, 1000)
	not "mem-expired" in {m.id | some m in ms}
}

test_memberships_live_included if {
	ms := _memberships({"user": "dana", "context": "customers/c1/projects"}, 999)
	_by_id(ms, "mem-expired") == {
		"id": "mem-expired",
		"context": "customers/c1",
		"inherited": true,
		"roles": ["editor"],
		"permissions": [_flags("write:notes", true, false, false)],
	}
}

test_memberships_inactive_role_gives_no_permissions if {
	ms := _memberships({"user": "dana", "context": "customers/c1"}, 2000)
	_by_id(ms, "mem-retired").permissions == []
}

test_memberships_none_elsewhere if {
	_memberships({"user": "dana", "context": "accounts/A"}, 2000) == []
}

test_memberships_unknown_user if {
	_memberships({"user": "nobody", "context": "customers/c1"}, 2000) == []
}

test_resources_prefix_keeps_overlapping_star_pattern if {
	req := {"user": "dana", "permission": "read:x", "prefix": "accounts/B"}
	"accounts/B/files" in _resources(req, 2000)
}
