package gatehouse.lookup_users_test

import data.gatehouse.lookup
import data.gatehouse.testutil

_grant(kind, id, role, resource) := {
	"kind": kind, "id": id, "role": role,
	"resource": resource, "segs": split(resource, "/"),
}

_perm(action, segs, allow, grant, delegate) := {"action": action, "segs": segs, "allow": allow, "grant": grant, "delegate": delegate}

_fixture := {
	"roles": {
		"viewer": {"active": true, "permissions": [_perm("read:*", ["read"], true, false, false)]},
		"sharer": {"active": true, "permissions": [
			_perm("read:*", ["read"], false, true, false),
			_perm("*:notes", ["*", "notes"], true, true, true),
		]},
		"editor": {"active": true, "permissions": [_perm("write:notes", ["write", "notes"], true, false, false)]},
		"retired": {"active": false, "permissions": [_perm("*", [], true, true, true)]},
	},
	"users": {
		"alice": {"groups": [], "grants": [
			_grant("record", "r-a", "viewer", "accounts/A"),
			_grant("record", "r-a", "viewer", "accounts/A"),
			_grant("record", "r-b", "viewer", "accounts/B"),
		]},
		"bob": {"groups": ["team"], "grants": []},
		"carol": {"groups": ["team"], "grants": [_grant("membership", "m-c", "viewer", "accounts/*/chats")]},
		"dave": {"groups": [], "grants": [object.union(_grant("record", "r-old", "viewer", "accounts/A"), {"expires": 1000})]},
		"erin": {"groups": [], "grants": [_grant("record", "r-e", "sharer", "accounts")]},
		"frank": {"groups": ["idle"], "grants": [
			_grant("record", "r-f", "retired", "accounts/A"),
			_grant("record", "r-g", "ghost-role", "accounts/A"),
		]},
	},
	"groups": {
		"team": {"grants": [_grant("record", "r-t", "viewer", "accounts/A/chats")]},
		"idle": {"grants": [_grant("record", "r-i", "editor", "accounts/A")]},
	},
	"installations": {},
	"extensions": {},
}

_users(req, now) := us if {
	us := lookup.users with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as now
}

_path(kind, id, role, resource, grant, delegate) := {
	"kind": kind, "id": id, "role": role, "resource": resource,
	"grant": grant, "delegate": delegate,
}

_viewer(kind, id, resource) := _path(kind, id, "viewer", resource, false, false)

_via_group(path, group) := object.union(path, {"group": group})

test_users_direct_groups_patterns_and_ancestors if {
	_users({"resource": "accounts/A/chats/1", "permission": "read:messages"}, 2000) == [
		{"user": "alice", "via": {_viewer("record", "r-a", "accounts/A")}},
		{"user": "bob", "via": {_via_group(_viewer("record", "r-t", "accounts/A/chats"), "team")}},
		{"user": "carol", "via": {
			_viewer("membership", "m-c", "accounts/*/chats"),
			_via_group(_viewer("record", "r-t", "accounts/A/chats"), "team"),
		}},
	]
}

test_users_pattern_needs_its_segments if {
	# accounts/*/chats does not cover accounts/A; the team's grant is below it.
	_users({"resource": "/accounts/A/", "permission": "READ"}, 2000) == [{"user": "alice", "via": {_viewer("record", "r-a", "accounts/A")}}]
}

test_users_expiry_against_now if {
	_users({"resource": "accounts/A", "permission": "read"}, 999) == [
		{"user": "alice", "via": {_viewer("record", "r-a", "accounts/A")}},
		{"user": "dave", "via": {_viewer("record", "r-old", "accounts/A")}},
	]
	_users({"resource": "accounts/A", "permission": "read"}, 1000) == [{"user": "alice", "via": {_viewer("record", "r-a", "accounts/A")}}]
}

test_users_who_may_grant if {
	# sharer's read:* carries grant without allow: erin may grant read but does not hold it.
	_users({"resource": "accounts/A", "permission": "read:x", "grant": true}, 2000) == [{"user": "erin", "via": {_path("record", "r-e", "sharer", "accounts", true, false)}}]
	_users({"resource": "accounts/A", "permission": "read:x", "grant": false}, 2000) == [{"user": "alice", "via": {_viewer("record", "r-a", "accounts/A")}}]
}

test_users_flags_of_holders if {
	_users({"resource": "accounts/Z", "permission": "write:notes"}, 2000) == [{"user": "erin", "via": {_path("record", "r-e", "sharer", "accounts", true, true)}}]
	_users({"resource": "accounts/A", "permission": "write:notes", "grant": true}, 2000) == [{"user": "erin", "via": {_path("record", "r-e", "sharer", "accounts", true, true)}}]
}

test_users_group_role_and_inactive_roles if {
	# frank's own grants name an inactive and an unknown role; his group's editor counts.
	_users({"resource": "accounts/A/x", "permission": "write:notes"}, 2000) == [
		{"user": "erin", "via": {_path("record", "r-e", "sharer", "accounts", true, true)}},
		{"user": "frank", "via": {_via_group(_path("record", "r-i", "editor", "accounts/A", false, false), "idle")}},
	]
	_users({"resource": "accounts/A/x", "permission": "delete", "grant": true}, 2000) == []
}

test_users_nobody_for_invalid_input if {
	_users({"resource": "accounts//A", "permission": "read"}, 2000) == []
	_users({"resource": "accounts/A", "permission": "read::x"}, 2000) == []
	_users({"resource": 7, "permission": "read"}, 2000) == []
	_users({"permission": "read"}, 2000) == []
}

test_users_grant_must_be_true if {
	# only the boolean true asks who may grant.
	_users({"resource": "accounts/A", "permission": "read", "grant": "true"}, 2000) == [{"user": "alice", "via": {_viewer("record", "r-a", "accounts/A")}}]
}
