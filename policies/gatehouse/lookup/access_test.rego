package gatehouse.lookup_test

import data.gatehouse.lookup
import data.gatehouse.testutil

# _grant, _expiring, _flags and _perm are lookup_test.rego's.

_access_fixture := {
	"roles": {
		"viewer": {"active": true, "permissions": [_perm("read:*", ["read"], true, false, false)]},
		"sharer": {"active": true, "permissions": [
			_perm("read:*", ["read"], false, true, false),
			_perm("write:notes", ["write", "notes"], true, true, true),
			_perm("read:*", ["read"], false, false, true),
		]},
		"editor": {"active": true, "permissions": [_perm("write:notes", ["write", "notes"], true, false, false)]},
		"retired": {"active": false, "permissions": [_perm("*", [], true, true, true)]},
	},
	"users": {
		"dana": {"groups": ["team", "ghost-group", "crew"], "grants": [
			_grant("record", "rec-a", "viewer", "accounts/A"),
			_grant("record", "rec-a", "sharer", "accounts/A"),
			_grant("record", "rec-a", "viewer", "accounts/A"),
			_grant("record", "rec-star", "viewer", "accounts/*/files"),
			_expiring(_grant("record", "rec-old", "viewer", "accounts/Old"), 1000),
			_expiring(_grant("record", "rec-later", "viewer", "accounts/Later"), 5000),
			_grant("record", "rec-retired", "retired", "accounts/A"),
			_grant("record", "rec-ghost", "ghost-role", "accounts/A"),
			_grant("membership", "mem-1", "viewer", "customers/c1"),
		]},
		"erin": {"groups": [], "grants": []},
	},
	"groups": {
		"team": {"grants": [
			_grant("record", "rec-team", "editor", "accounts/A"),
			_grant("record", "rec-a", "viewer", "accounts/A"),
		]},
		"crew": {"grants": [_grant("record", "rec-team", "editor", "accounts/A")]},
	},
	"installations": {},
	"extensions": {},
}

_access(user, now) := a if {
	a := lookup.access with input as {"user": user} with data.gatehouse.index as testutil.index(_access_fixture) with time.now_ns as now
}

_access_entry(kind, id, role, resource, permissions) := {"kind": kind, "id": id, "role": role, "resource": resource, "permissions": permissions}

_access_read := [_flags("read:*", true, false, false)]

_access_write := [_flags("write:notes", true, false, false)]

test_access_lists_every_grant_sorted if {
	_access("dana", 2000) == [
		_access_entry("record", "rec-star", "viewer", "accounts/*/files", _access_read),
		_access_entry("record", "rec-a", "sharer", "accounts/A", [
			_flags("read:*", false, true, true),
			_flags("write:notes", true, true, true),
		]),
		_access_entry("record", "rec-a", "viewer", "accounts/A", _access_read),
		object.union(_access_entry("record", "rec-a", "viewer", "accounts/A", _access_read), {"group": "team"}),
		_access_entry("record", "rec-ghost", "ghost-role", "accounts/A", []),
		_access_entry("record", "rec-retired", "retired", "accounts/A", []),
		object.union(_access_entry("record", "rec-team", "editor", "accounts/A", _access_write), {"group": "crew"}),
		object.union(_access_entry("record", "rec-team", "editor", "accounts/A", _access_write), {"group": "team"}),
		object.union(_access_entry("record", "rec-later", "viewer", "accounts/Later", _access_read), {"expires": 5000}),
		_access_entry("membership", "mem-1", "viewer", "customers/c1", _access_read),
	]
}

test_access_expired_grant_left_out if {
	not "accounts/Old" in {e.resource | some e in _access("dana", 1000)}
	{"accounts/Old", "accounts/Later"} == {e.resource | some e in _access("dana", 999); e.expires}
}

test_access_unknown_user if {
	_access("nobody", 2000) == []
}

test_access_user_without_grants if {
	_access("erin", 2000) == []
}
