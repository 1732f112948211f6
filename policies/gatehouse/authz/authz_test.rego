package gatehouse.authz_test

import data.gatehouse.authz
import data.gatehouse.testutil

_grant(kind, id, role, resource) := {
	"kind": kind, "id": id, "role": role,
	"resource": resource, "segs": split(resource, "/"),
}

_perm(action, segs) := {"action": action, "segs": segs, "allow": true, "grant": false, "delegate": false}

_install(ext, status, resources, consented) := {
	"extension": ext,
	"status": status,
	"resources": [{"resource": r, "segs": split(r, "/")} | some r in resources],
	"consented": consented,
}

_fixture := {
	"roles": {
		"viewer": {"active": true, "permissions": [_perm("read:*", ["read"])]},
		"reader_any": {"active": true, "permissions": [_perm("*:read", ["*", "read"])]},
		"admin": {"active": true, "permissions": [_perm("*", [])]},
		"retired": {"active": false, "permissions": [_perm("*", [])]},
		"muted": {"active": true, "permissions": [{"action": "*", "segs": [], "allow": false, "grant": true, "delegate": true}]},
	},
	"users": {
		"alice": {"groups": ["ghost-group"], "grants": [
			_grant("record", "rec-a", "viewer", "accounts/A"),
			object.union(_grant("membership", "mem-b", "admin", "accounts/B"), {"expires": 5000}),
			_grant("record", "rec-b", "viewer", "accounts/B/projects"),
			_grant("record", "rec-star", "reader_any", "accounts/*/chats"),
			_grant("record", "rec-tail", "viewer", "accounts/D/*"),
		]},
		"bob": {"groups": [], "grants": [
			_grant("record", "rec-retired", "retired", "accounts/R"),
			_grant("record", "rec-muted", "muted", "accounts/M"),
			_grant("record", "rec-ghost", "ghost-role", "accounts/G"),
		]},
		"carol": {"groups": ["team"], "grants": []},
	},
	"groups": {"team": {"grants": [_grant("record", "rec-team", "viewer", "accounts/T")]}},
	"installations": {
		"inst-ok": _install("ext-chat", "ACTIVE", ["accounts/A", "accounts/B"], [["read"], ["delete", "chats"]]),
		"inst-off": _install("ext-chat", "DISABLED", ["accounts/A"], [["read"]]),
		"inst-narrow": _install("ext-chat", "ACTIVE", ["accounts/A/chats"], [["read"]]),
		"inst-orphan": _install("ext-gone", "ACTIVE", ["accounts/A"], [["read"]]),
	},
	"extensions": {"ext-chat": {"permissions": [["read", "chats"], ["read", "files"], ["delete"]]}},
}

_invalid := {"allowed": false, "reasons": [], "denied_by": "invalid_input"}

_denied(side) := {"allowed": false, "reasons": [], "denied_by": side}

_allowed(reasons) := {"allowed": true, "reasons": reasons, "denied_by": null}

_decide(req) := d if {
	d := authz.decision with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 1000
}

_failures(req) := fs if {
	fs := authz.failures with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 1000
}

_rec_a := {"kind": "record", "id": "rec-a", "role": "viewer", "resource": "accounts/A"}

_inst_ok_a := {"kind": "installation", "id": "inst-ok", "resource": "accounts/A"}

# allow

test_allow_default_false if {
	not authz.allow with input as {} with data.gatehouse.index as testutil.index(_fixture)
	authz.allow == false with input as {} with data.gatehouse.index as testutil.index(_fixture)
}

test_allow_true_when_decision_allows if {
	authz.allow with input as {"user": "alice", "resource": "accounts/A", "permission": "read:x"}
		with data.gatehouse.index as testutil.index(_fixture)
}

test_allow_false_when_decision_denies if {
	authz.allow == false with input as {"user": "alice", "resource": "accounts/A", "permission": "write:x"}
		with data.gatehouse.index as testutil.index(_fixture)
}

# decision: invalid input

test_decision_denies_input_that_is_no_object if {
	d := authz.decision with input as "garbage" with data.gatehouse.index as testutil.index(_fixture)
	d == _invalid
}

test_decision_invalid_with_null_user_and_installation if {
	_decide({"user": null, "installation": "i1", "resource": "accounts/A", "permission": "read"}) == _invalid
}

test_decision_invalid_with_blank_user if {
	_decide({"user": " ", "resource": "accounts/A", "permission": "read"}) == _invalid
}

test_decision_invalid_with_array_user if {
	_decide({"user": ["alice"], "resource": "accounts/A", "permission": "read"}) == _invalid
}

test_decision_invalid_with_unknown_key if {
	_decide({"user": "alice", "resource": "accounts/A", "permission": "read", "User": "root"}) == _invalid
}

test_decision_invalid_with_control_character_in_user if {
	_decide({"user": "alice\u0000", "resource": "accounts/A", "permission": "read"}) == _invalid
}

test_decision_invalid_with_control_character_in_resource if {
	_decide({"user": "alice", "resource": "accounts/A\u0000read", "permission": "x"}) == _invalid
}

test_decision_invalid_with_control_character_in_permission if {
	_decide({"user": "alice", "resource": "accounts/A", "permission": "read\u001fx"}) == _invalid
}

test_decision_invalid_with_dot_dot_segment if {
	_decide({"user": "alice", "resource": "accounts/A/../B", "permission": "read"}) == _invalid
}

test_decision_invalid_without_subject if {
	_decide({"resource": "accounts/A", "permission": "read"}) == _invalid
}

test_decision_invalid_with_empty_user if {
	_decide({"user": "", "resource": "accounts/A", "permission": "read"}) == _invalid
}

test_decision_invalid_with_non_string_user if {
	_decide({"user": 42, "resource": "accounts/A", "permission": "read"}) == _invalid
}

test_decision_invalid_with_empty_installation_only if {
	_decide({"installation": "", "resource": "accounts/A", "permission": "read:chats"}) == _invalid
}

test_decision_invalid_without_resource if {
	_decide({"user": "alice", "permission": "read"}) == _invalid
}

test_decision_invalid_with_empty_segment if {
	_decide({"user": "alice", "resource": "accounts//A", "permission": "read"}) == _invalid
}

test_decision_invalid_with_empty_resource if {
	_decide({"user": "alice", "resource": "", "permission": "read"}) == _invalid
}

test_decision_invalid_with_too_many_segments if {
	uri := concat("/", ["accounts", "A", concat("/", [sprintf("s%d", [i]) | some i in numbers.range(1, 31)])])
	_decide({"user": "alice", "resource": uri, "permission": "read"}) == _invalid
}

test_decision_valid_with_32_segments if {
	uri := concat("/", ["accounts", "A", concat("/", [sprintf("s%d", [i]) | some i in numbers.range(1, 30)])])
	_decide({"user": "alice", "resource": uri, "permission": "read"}) == _allowed([_rec_a])
}

test_decision_invalid_without_action if {
	_decide({"user": "alice", "resource": "accounts/A"}) == _invalid
}

test_decision_invalid_with_bad_action if {
	_decide({"user": "alice", "resource": "accounts/A", "permission": "read:"}) == _invalid
}

test_decision_invalid_before_other_failures if {
	req := {"user": "bob", "installation": "inst-off", "resource": "nowhere//x", "permission": "write"}
	_decide(req) == _invalid
	"invalid_input" in authz.failures with input as req with data.gatehouse.index as testutil.index(_fixture)
}

# decision: user alone, records

test_decision_user_allowed_by_record if {
	_decide({"user": "alice", "resource": "accounts/A/projects/1", "permission": "read:projects"}) == _allowed([_rec_a])
}

test_decision_user_allowed_with_slashes if {
	_decide({"user": "alice", "resource": "/accounts/A/", "permission": "read"}) == _allowed([_rec_a])
}

test_decision_user_allowed_case_insensitive_action if {
	_decide({"user": "alice", "resource": "accounts/A", "permission": "READ:Projects"}) == _allowed([_rec_a])
}

test_decision_user_denied_case_sensitive_resource if {
	_decide({"user": "alice", "resource": "Accounts/A", "permission": "read"}) == _denied("user")
}

test_decision_user_denied_action_not_implied if {
	_decide({"user": "alice", "resource": "accounts/A", "permission": "write:projects"}) == _denied("user")
}

test_decision_user_denied_resource_not_covered if {
	_decide({"user": "alice", "resource": "accounts/C", "permission": "read"}) == _denied("user")
}

test_decision_user_denied_above_grant if {
	_decide({"user": "alice", "resource": "accounts", "permission": "read"}) == _denied("user")
}

test_decision_user_denied_request_star_is_literal if {
	_decide({"user": "carol", "resource": "accounts/*", "permission": "read"}) == _denied("user")
}

test_decision_user_star_pattern if {
	req := {"user": "alice", "resource": "accounts/Z/chats/9", "permission": "projects:read"}
	_decide(req) == _allowed([{"kind": "record", "id": "rec-star", "role": "reader_any", "resource": "accounts/*/chats"}])
	_decide(object.union(req, {"permission": "projects:write"})) == _denied("user")
}

test_decision_user_trailing_star_needs_more if {
	reason := {"kind": "record", "id": "rec-tail", "role": "viewer", "resource": "accounts/D/*"}
	_decide({"user": "alice", "resource": "accounts/D/x", "permission": "read"}) == _allowed([reason])
	_decide({"user": "alice", "resource": "accounts/D", "permission": "read"}) == _denied("user")
}

test_decision_user_via_group if {
	reason := {"kind": "record", "id": "rec-team", "role": "viewer", "resource": "accounts/T"}
	_decide({"user": "carol", "resource": "accounts/T/x", "permission": "read"}) == _allowed([reason])
	_decide({"user": "carol", "resource": "accounts/A", "permission": "read"}) == _denied("user")
}

test_decision_user_unknown if {
	_decide({"user": "nobody", "resource": "accounts/A", "permission": "read"}) == _denied("user")
}

test_decision_user_inactive_role if {
	_decide({"user": "bob", "resource": "accounts/R", "permission": "read"}) == _denied("user")
}

test_decision_user_allow_false if {
	_decide({"user": "bob", "resource": "accounts/M", "permission": "read"}) == _denied("user")
}

test_decision_user_unknown_role if {
	_decide({"user": "bob", "resource": "accounts/G", "permission": "read"}) == _denied("user")
}

# decision: memberships and expiry

test_decision_membership_cascades_from_context if {
	reason := {"kind": "membership", "id": "mem-b", "role": "admin", "resource": "accounts/B"}
	_decide({"user": "alice", "resource": "accounts/B/chats/1", "permission": "delete:chats"}) == _allowed([reason])
}

test_decision_membership_live_before_expiry if {
	req := {"user": "alice", "resource": "accounts/B", "permission": "delete"}
	d := authz.decision with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 4999
	d.allowed
}

test_decision_membership_not_live_at_expiry if {
	req := {"user": "alice", "resource": "accounts/B", "permission": "delete"}
	d := authz.decision with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 5000
	d == _denied("user")
}

test_decision_reasons_sorted_across_kinds if {
	_decide({"user": "alice", "resource": "accounts/B/projects/1", "permission": "read:projects"}) == _allowed([
		{"kind": "membership", "id": "mem-b", "role": "admin", "resource": "accounts/B"},
		{"kind": "record", "id": "rec-b", "role": "viewer", "resource": "accounts/B/projects"},
	])
}

test_decision_reasons_drop_expired_grant if {
	req := {"user": "alice", "resource": "accounts/B/projects/1", "permission": "read:projects"}
	d := authz.decision with input as req with data.gatehouse.index as testutil.index(_fixture) with time.now_ns as 5000
	d == _allowed([{"kind": "record", "id": "rec-b", "role": "viewer", "resource": "accounts/B/projects"}])
}

# decision: user through an installation

test_decision_delegated_allowed if {
	req := {"user": "alice", "installation": "inst-ok", "resource": "accounts/A/x", "permission": "read:chats"}
	_decide(req) == _allowed([_inst_ok_a, _rec_a])
}

test_decision_empty_installation_is_invalid if {
	req := {"user": "alice", "installation": "", "resource": "accounts/C", "permission": "read:chats"}
	_decide(req) == _denied("invalid_input")
}

test_decision_non_string_installation_is_invalid if {
	# Ignoring it would give alice her full rights through the extension.
	req := {"user": "alice", "installation": 42, "resource": "accounts/A", "permission": "read:chats"}
	_decide(req) == _denied("invalid_input")
}

test_failures_unknown_installation_lists_consent if {
	req := {"user": "alice", "installation": "inst-gone", "resource": "accounts/A", "permission": "read:chats"}
	_failures(req) == {"installation_status", "installation_scope", "consent"}
}

test_decision_delegated_user_gains_nothing if {
	req := {"user": "carol", "installation": "inst-ok", "resource": "accounts/A", "permission": "read:chats"}
	_decide(req) == _denied("user")
}

test_decision_delegated_user_failure_first if {
	req := {"user": "carol", "installation": "inst-off", "resource": "accounts/C", "permission": "delete:x"}
	_decide(req) == _denied("user")
	fs := _failures(req)
	fs == {"user", "installation_status", "installation_scope", "consent"}
}

test_decision_delegated_disabled if {
	req := {"user": "alice", "installation": "inst-off", "resource": "accounts/A", "permission": "read:chats"}
	_decide(req) == _denied("installation_status")
	fs := _failures(req)
	fs == {"installation_status"}
}

test_decision_delegated_status_before_scope if {
	req := {"user": "alice", "installation": "inst-off", "resource": "accounts/B", "permission": "read:chats"}
	_decide(req) == _denied("installation_status")
	fs := _failures(req)
	fs == {"installation_status", "installation_scope"}
}

test_decision_delegated_unknown_installation if {
	req := {"user": "alice", "installation": "inst-gone", "resource": "accounts/A", "permission": "read:chats"}
	_decide(req) == _denied("installation_status")
	fs := _failures(req)
	"installation_status" in fs
	"installation_scope" in fs
}

test_decision_delegated_out_of_scope if {
	req := {"user": "alice", "installation": "inst-narrow", "resource": "accounts/A/files", "permission": "read:chats"}
	_decide(req) == _denied("installation_scope")
	fs := _failures(req)
	fs == {"installation_scope"}
}

test_decision_delegated_scope_before_consent if {
	req := {"user": "alice", "installation": "inst-narrow", "resource": "accounts/A/files", "permission": "read:projects"}
	_decide(req) == _denied("installation_scope")
	fs := _failures(req)
	fs == {"installation_scope", "consent"}
}

test_decision_delegated_scope_cascades if {
	req := {"user": "alice", "installation": "inst-narrow", "resource": "accounts/A/chats/1", "permission": "read:chats"}
	_decide(req) == _allowed([
		{"kind": "installation", "id": "inst-narrow", "resource": "accounts/A/chats"},
		_rec_a,
	])
}

test_decision_delegated_consent_missing if {
	# The extension requests "delete" but only "delete:chats" was consented.
	req := {"user": "alice", "installation": "inst-ok", "resource": "accounts/B", "permission": "delete"}
	_decide(req) == _denied("consent")
	fs := _failures(req)
	fs == {"consent"}
}

test_decision_delegated_consent_no_longer_requested if {
	# "read" was consented, but the extension no longer requests read:projects.
	req := {"user": "alice", "installation": "inst-ok", "resource": "accounts/A", "permission": "read:projects"}
	_decide(req) == _denied("consent")
}

test_decision_delegated_consent_extension_gone if {
	req := {"user": "alice", "installation": "inst-orphan", "resource": "accounts/A", "permission": "read:chats"}
	_decide(req) == _denied("consent")
}

test_decision_delegated_both_sides_imply if {
	req := {"user": "alice", "installation": "inst-ok", "resource": "accounts/B/chats", "permission": "Delete:Chats"}
	_decide(req) == _allowed([
		{"kind": "installation", "id": "inst-ok", "resource": "accounts/B"},
		{"kind": "membership", "id": "mem-b", "role": "admin", "resource": "accounts/B"},
	])
}

# decision: installation alone

test_decision_installation_allowed if {
	req := {"installation": "inst-ok", "resource": "accounts/A/x", "permission": "read:files"}
	_decide(req) == _allowed([_inst_ok_a])
}

test_decision_installation_reasons_every_covering_resource if {
	index := json.patch(_fixture, [{
		"op": "add", "path": "/installations/inst-ok/resources/-",
		"value": {"resource": "accounts/A/chats", "segs": ["accounts", "A", "chats"]},
	}])
	req := {"installation": "inst-ok", "resource": "accounts/A/chats/1", "permission": "read:chats"}
	d := authz.decision with input as req with data.gatehouse.index as testutil.index(index)
	d == _allowed([_inst_ok_a, {"kind": "installation", "id": "inst-ok", "resource": "accounts/A/chats"}])
}

test_decision_installation_ignores_user_grants if {
	req := {"installation": "inst-ok", "resource": "accounts/A", "permission": "read:chats"}
	fs := _failures(req)
	fs == set()
}

test_decision_installation_with_empty_user_is_invalid if {
	req := {"user": "", "installation": "inst-ok", "resource": "accounts/A", "permission": "read:chats"}
	_decide(req) == _denied("invalid_input")
}

test_decision_installation_disabled if {
	_decide({"installation": "inst-off", "resource": "accounts/A", "permission": "read:chats"}) == _denied("installation_status")
}

test_decision_installation_unknown if {
	_decide({"installation": "inst-gone", "resource": "accounts/A", "permission": "read:chats"}) == _denied("installation_status")
}

test_decision_installation_out_of_scope if {
	_decide({"installation": "inst-ok", "resource": "accounts/C", "permission": "read:chats"}) == _denied("installation_scope")
}

test_decision_installation_not_consented if {
	_decide({"installation": "inst-ok", "resource": "accounts/A", "permission": "write:chats"}) == _denied("consent")
}

# consented

test_consented_both_imply if {
	authz.consented(_fixture.installations["inst-ok"], ["read", "chats"]) with data.gatehouse.index as testutil.index(_fixture)
}

test_consented_not_without_consent if {
	not authz.consented(_fixture.installations["inst-ok"], ["delete", "files"]) with data.gatehouse.index as testutil.index(_fixture)
}

test_consented_not_when_extension_stopped_requesting if {
	not authz.consented(_fixture.installations["inst-ok"], ["read", "projects"]) with data.gatehouse.index as testutil.index(_fixture)
}

test_consented_not_for_unknown_extension if {
	not authz.consented(_fixture.installations["inst-orphan"], ["read", "chats"]) with data.gatehouse.index as testutil.index(_fixture)
}

# denied_by

test_denied_by_first_in_order if {
	req := {"user": "carol", "installation": "inst-narrow", "resource": "accounts/A/files", "permission": "read:projects"}
	d := authz.denied_by with input as req with data.gatehouse.index as testutil.index(_fixture)
	d == "user"
}

test_denied_by_undefined_when_nothing_fails if {
	req := {"user": "alice", "resource": "accounts/A", "permission": "read"}
	not authz.denied_by with input as req with data.gatehouse.index as testutil.index(_fixture)
}

# reasons

test_reasons_union_of_user_and_scope if {
	req := {"user": "alice", "installation": "inst-ok", "resource": "accounts/A/x", "permission": "read:chats"}
	rs := authz.reasons with input as req with data.gatehouse.index as testutil.index(_fixture)
	rs == {_inst_ok_a, _rec_a}
}

test_reasons_empty_without_grants if {
	req := {"user": "nobody", "resource": "accounts/A", "permission": "read"}
	rs := authz.reasons with input as req with data.gatehouse.index as testutil.index(_fixture)
	rs == set()
}
