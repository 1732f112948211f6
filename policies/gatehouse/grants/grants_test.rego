package gatehouse.grants_test

import data.gatehouse.grants
import data.gatehouse.testutil

_viewer_perm := {"action": "read:*", "segs": ["read"], "allow": true, "grant": false, "delegate": false}

_rec_a := {"kind": "record", "id": "rec-a", "role": "viewer", "resource": "accounts/A", "segs": ["accounts", "A"]}

_mem_b := {
	"kind": "membership", "id": "mem-b", "role": "admin",
	"resource": "accounts/B", "segs": ["accounts", "B"], "expires": 5000,
}

_rec_team := {"kind": "record", "id": "rec-team", "role": "editor", "resource": "accounts/T", "segs": ["accounts", "T"]}

_rec_star := {
	"kind": "record", "id": "rec-star", "role": "reader_any",
	"resource": "accounts/*/chats", "segs": ["accounts", "*", "chats"],
}

_fixture := {
	"roles": {
		"viewer": {"active": true, "permissions": [_viewer_perm]},
		"editor": {"active": true, "permissions": [{
			"action": "write:projects", "segs": ["write", "projects"],
			"allow": true, "grant": false, "delegate": false,
		}]},
		"admin": {"active": true, "permissions": [{"action": "*", "segs": [], "allow": true, "grant": true, "delegate": true}]},
		"reader_any": {"active": true, "permissions": [{
			"action": "*:read", "segs": ["*", "read"],
			"allow": true, "grant": false, "delegate": false,
		}]},
		"retired": {"active": false, "permissions": [{"action": "*", "segs": [], "allow": true, "grant": true, "delegate": true}]},
		"retired_wild": {"active": false, "permissions": [{"action": "*:read", "segs": ["*", "read"], "allow": true, "grant": false, "delegate": false}]},
		"muted": {"active": true, "permissions": [{"action": "read:*", "segs": ["read"], "allow": false, "grant": true, "delegate": true}]},
		"mixed": {"active": true, "permissions": [
			{"action": "write", "segs": ["write"], "allow": false, "grant": true, "delegate": false},
			_viewer_perm,
		]},
	},
	"users": {
		"alice": {"groups": ["team", "ghost-group"], "grants": [_rec_a, _mem_b, _rec_star]},
		"carol": {"groups": ["team"], "grants": []},
		"dave": {"groups": [], "grants": [_rec_a]},
	},
	"groups": {"team": {"grants": [_rec_team]}},
	"installations": {},
	"extensions": {},
}

# user_grants

test_user_grants_direct_and_group if {
	gs := grants.user_grants("alice", 1000) with data.gatehouse.index as testutil.index(_fixture)
	count(gs) == 4
	{g | some g in gs} == {_rec_a, _mem_b, _rec_star, _rec_team}
}

test_user_grants_only_group if {
	gs := grants.user_grants("carol", 1000) with data.gatehouse.index as testutil.index(_fixture)
	gs == [_rec_team]
}

test_user_grants_only_direct if {
	gs := grants.user_grants("dave", 1000) with data.gatehouse.index as testutil.index(_fixture)
	gs == [_rec_a]
}

test_user_grants_drop_expired if {
	gs := grants.user_grants("alice", 5000) with data.gatehouse.index as testutil.index(_fixture)
	count(gs) == 3
	{g | some g in gs} == {_rec_a, _rec_star, _rec_team}
}

test_user_grants_drop_expired_group_grant if {
	index := json.patch(_fixture, [{"op": "add", "path": "/groups/team/grants/0/expires", "value": 10}])
	gs := grants.user_grants("carol", 10) with data.gatehouse.index as testutil.index(index)
	gs == []
	earlier := grants.user_grants("carol", 9) with data.gatehouse.index as testutil.index(index)
	count(earlier) == 1
}

test_user_grants_unknown_user if {
	gs := grants.user_grants("nobody", 1000) with data.gatehouse.index as testutil.index(_fixture)
	gs == []
}

# live

test_live_without_expiry if grants.live(testutil.tuple(_rec_a), 1000)

test_live_before_expiry if grants.live(testutil.tuple(_mem_b), 4999)

test_live_not_at_expiry if not grants.live(testutil.tuple(_mem_b), 5000)

test_live_not_after_expiry if not grants.live(testutil.tuple(_mem_b), 6000)

# role_allows

_act(segs) := grants.action_request(segs)

_req(resource, action, now) := grants.request(resource, action, now)

test_role_allows_implied_action if {
	grants.role_allows("viewer", _act(["read", "projects"])) with data.gatehouse.index as testutil.index(_fixture)
}

test_role_allows_not_other_action if {
	not grants.role_allows("viewer", _act(["write", "projects"])) with data.gatehouse.index as testutil.index(_fixture)
}

test_role_allows_star_role if {
	grants.role_allows("admin", _act(["delete", "anything", "at", "all"])) with data.gatehouse.index as testutil.index(_fixture)
}

test_role_allows_leading_star if {
	grants.role_allows("reader_any", _act(["projects", "read"])) with data.gatehouse.index as testutil.index(_fixture)
	not grants.role_allows("reader_any", _act(["projects", "write"])) with data.gatehouse.index as testutil.index(_fixture)
}

test_role_allows_not_inactive_role if {
	not grants.role_allows("retired", _act(["read"])) with data.gatehouse.index as testutil.index(_fixture)
	not grants.role_allows("retired_wild", _act(["x", "read"])) with data.gatehouse.index as testutil.index(_fixture)
}

test_role_allows_inactive_role_when_activated if {
	index := json.patch(_fixture, [{"op": "replace", "path": "/roles/retired/active", "value": true}])
	grants.role_allows("retired", _act(["read"])) with data.gatehouse.index as testutil.index(index)
}

test_role_allows_not_unknown_role if {
	not grants.role_allows("ghost-role", _act(["read"])) with data.gatehouse.index as testutil.index(_fixture)
}

test_role_allows_not_allow_false if {
	not grants.role_allows("muted", _act(["read", "projects"])) with data.gatehouse.index as testutil.index(_fixture)
}

test_role_allows_allow_false_entry_does_not_block_others if {
	grants.role_allows("mixed", _act(["read", "projects"])) with data.gatehouse.index as testutil.index(_fixture)
	not grants.role_allows("mixed", _act(["write", "projects"])) with data.gatehouse.index as testutil.index(_fixture)
}

# request

test_request_splits_once if {
	_req("/accounts/A/x/", "Read:Projects", 7) == {
		"segs": ["accounts", "A", "x"],
		"prefixes": ["", "accounts", "accounts/A", "accounts/A/x"],
		"action": ["read", "projects"],
		"action_key": "read:projects:",
		"now": 7,
	}
}

test_grant_object_round_trips if {
	grants.grant_object(["record", "r", "x", "a/b", 0]) == {"kind": "record", "id": "r", "role": "x", "resource": "a/b", "segs": ["a", "b"]}
	grants.grant_object(["membership", "m", "x", "a", 9]) == {"kind": "membership", "id": "m", "role": "x", "resource": "a", "segs": ["a"], "expires": 9}
}

# covering

test_covering_exact_prefix_and_wild if {
	doc := testutil.index(_fixture).users.alice
	gs := grants.covering(doc, _req("accounts/A/chats/1", "x", 1000))
	{grants.tuple_id(t) | some t in gs} == {"rec-a", "rec-star"}
}

test_covering_skips_expired if {
	doc := testutil.index(_fixture).users.alice
	gs := grants.covering(doc, _req("accounts/B", "x", 6000))
	gs == []
}

# allowing

test_allowing_record_reason if {
	rs := grants.allowing("dave", _req("accounts/A/p", "read:projects", 1000)) with data.gatehouse.index as testutil.index(_fixture)
	rs == {{"kind": "record", "id": "rec-a", "role": "viewer", "resource": "accounts/A"}}
}

test_allowing_membership_reason if {
	rs := grants.allowing("alice", _req("accounts/B", "delete", 1000)) with data.gatehouse.index as testutil.index(_fixture)
	rs == {{"kind": "membership", "id": "mem-b", "role": "admin", "resource": "accounts/B"}}
}

test_allowing_star_pattern_reason if {
	rs := grants.allowing("alice", _req("accounts/Z/chats/1", "projects:read", 1000)) with data.gatehouse.index as testutil.index(_fixture)
	rs == {{"kind": "record", "id": "rec-star", "role": "reader_any", "resource": "accounts/*/chats"}}
}

test_allowing_group_reason if {
	rs := grants.allowing("carol", _req("accounts/T", "write:projects", 1000)) with data.gatehouse.index as testutil.index(_fixture)
	rs == {{"kind": "record", "id": "rec-team", "role": "editor", "resource": "accounts/T"}}
}

test_allowing_several_reasons if {
	rs := grants.allowing("alice", _req("accounts/B/chats", "projects:read", 1000)) with data.gatehouse.index as testutil.index(_fixture)
	rs == {
		{"kind": "membership", "id": "mem-b", "role": "admin", "resource": "accounts/B"},
		{"kind": "record", "id": "rec-star", "role": "reader_any", "resource": "accounts/*/chats"},
	}
}

test_allowing_none_when_resource_not_covered if {
	rs := grants.allowing("dave", _req("accounts/C", "read", 1000)) with data.gatehouse.index as testutil.index(_fixture)
	rs == set()
}

test_allowing_none_when_role_does_not_allow if {
	rs := grants.allowing("dave", _req("accounts/A", "write", 1000)) with data.gatehouse.index as testutil.index(_fixture)
	rs == set()
}

test_allowing_none_for_inactive_or_unknown_role if {
	gs := [
		{"kind": "record", "id": "r1", "role": "retired", "resource": "accounts/A", "segs": ["accounts", "A"]},
		{"kind": "record", "id": "r2", "role": "ghost-role", "resource": "accounts/A", "segs": ["accounts", "A"]},
		{"kind": "record", "id": "r3", "role": "muted", "resource": "accounts/A", "segs": ["accounts", "A"]},
	]
	index := json.patch(_fixture, [{"op": "add", "path": "/users/erin", "value": {"groups": [], "grants": gs}}])
	rs := grants.allowing("erin", _req("accounts/A", "read", 1000)) with data.gatehouse.index as testutil.index(index)
	rs == set()
}

test_allowing_none_without_grants if {
	rs := grants.allowing("nobody", _req("accounts/A", "read", 1000)) with data.gatehouse.index as testutil.index(_fixture)
	rs == set()
}
