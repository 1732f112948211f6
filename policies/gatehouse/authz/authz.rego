# METADATA
# title: Decisions
# description: |
#   Decides whether a user, a user acting through an installed extension,
#   an installed extension acting as itself, or an app in a tenant it is
#   onboarded to may perform an action on a resource. Input: {"user",
#   "installation", "resource", "permission"} or {"app", "tenant",
#   "resource", "permission"}.
package gatehouse.authz

import data.gatehouse.grants
import data.gatehouse.match

# METADATA
# description: True when the decision allows.
# entrypoint: true
default allow := false

allow if decision.allowed

# METADATA
# description: |
#   {allowed, reasons, denied_by}. denied_by names the first failing check
#   (see denied_by); null when allowed. The user side passes on
#   the user's grants or on an allow hook; the app side on the grants of
#   the app's onboarding to the tenant; policy fails on any deny hook
#   (see gatehouse.hooks).
# entrypoint: true
decision := _deny("invalid_input") if {
	not _valid
} else := _deny("user") if {
	_user_fails
} else := _deny("app") if {
	_app_fails
} else := _deny("installation_status") if {
	_installation_status_fails
} else := _deny("installation_scope") if {
	_installation_scope_fails
} else := _deny("consent") if {
	_consent_fails
} else := _deny("policy") if {
	_policy_fails
} else := {"allowed": true, "reasons": sort(reasons), "denied_by": null}

_deny(side) := {"allowed": false, "reasons": [], "denied_by": side}

# METADATA
# description: |
#   The first failing check; undefined when none fails. The else-chain of
#   decision is the one place the order of the checks is written, so a
#   decision stops at the first failure instead of evaluating every check.
denied_by := decision.denied_by if decision.denied_by != null

# METADATA
# description: Every check that fails for this input, for explanations.
failures contains "invalid_input" if not _valid

failures contains "user" if _user_fails

failures contains "app" if _app_fails

failures contains "installation_status" if _installation_status_fails

failures contains "installation_scope" if _installation_scope_fails

failures contains "consent" if _consent_fails

failures contains "policy" if _policy_fails

_user_fails if {
	_given("user")
	count(_user_reasons) == 0
	count(_policy_reasons) == 0
}

_app_fails if {
	_given("app")
	count(_app_reasons) == 0
}

_installation_status_fails if {
	_given("installation")
	not _installation.status == "ACTIVE"
}

_installation_scope_fails if {
	_given("installation")
	not _in_scope
}

_consent_fails if {
	_given("installation")
	not _consented
}

_policy_fails if count(_hook_denials) > 0

# METADATA
# description: |
#   Why the decision allows, from the user's grants, the allow hooks, the
#   installation's scope and the app's grants.
reasons contains r if some r in _user_reasons

reasons contains r if some r in _app_reasons

reasons contains r if some r in _policy_reasons

reasons contains r if some r in _scope_reasons

# METADATA
# description: |
#   The installation consented to an action implying this one, and its
#   extension still requests one implying it too.
consented(installation, action) if {
	some c in installation.consented
	match.covers(c, action)
	some e in data.gatehouse.index.extensions[installation.extension].permissions
	match.covers(e, action)
}

_consented if consented(_installation, _req.action)

_in_scope if {
	some res in _installation.resources
	match.covers(res.segs, _req.segs)
}

_valid if {
	is_object(input)
	count(object.keys(input) - _input_keys) == 0
	_subject_given
	not _malformed_subject
	is_string(input.resource)
	is_string(input.permission)
	match.valid_resource_segments(input.resource, _req.segs)
	match.valid_action_segments(input.permission, _req.action)
}

# The user's reasons, computed once: the decision allows on them and
# reports them.
_user_reasons := grants.allowing(input.user, _req) if _given("user")

_user_reasons := set() if not _given("user")

# The app's reasons: the grants of its onboarding to the tenant (keyed
# tenantId/appId) that cover the request with a role allowing it; empty
# when the app is not onboarded there.
_app_reasons := {grants.reason(t) |
	some t in grants.covering(data.gatehouse.index.apps[concat("/", [input.tenant, input.app])], _req)
	grants.role_allows(grants.tuple_role(t), _req)
} if _given("app")

# Subjects: user, installation or both; or app with tenant and no other.
# A present subject key is a valid id or the input is malformed (see
# _malformed_subject), so "not input.app" is "app is not given" here.
_subject_given if {
	_given("user")
	not input.app
	not input.tenant
}

_subject_given if {
	_given("installation")
	not input.app
	not input.tenant
}

_subject_given if {
	_given("app")
	_given("tenant")
	not input.user
	not input.installation
}

# The keys a decision's input may have; any other is invalid, as the
# HTTP API refuses unknown fields.
_input_keys := {"user", "installation", "app", "tenant", "resource", "permission"}

# A subject key that is present (whatever its value, null and false
# included) must hold a valid id of its kind: ignoring a malformed one
# would widen the decision.
_malformed_subject if {
	id := input.user
	not match.valid_id(id)
}

_malformed_subject if {
	id := input.installation
	not match.valid_id(id)
}

_malformed_subject if {
	id := input.app
	not match.valid_app_id(id)
}

_malformed_subject if {
	id := input.tenant
	not match.valid_tenant_id(id)
}

_given(key) if {
	is_string(input[key])
	input[key] != ""
}

_req := grants.request(input.resource, input.permission, time.now_ns())

_installation := data.gatehouse.index.installations[input.installation]

_scope_reasons := {r |
	some res in _installation.resources
	match.covers(res.segs, _req.segs)
	r := {"kind": "installation", "id": input.installation, "resource": res.resource}
}

# Every deny hook's message; any one denies. Empty without hook rules.
_hook_denials := {m | some m in data.gatehouse.hooks.deny}

# The allow hooks' ids, as reasons. They speak for the user side only: they
# count only when a user is given, and they see the input without its
# installation, so whatever they allow the user gets alone too and never
# more through an extension. Non-string members are ignored.
_policy_reasons := {r |
	some id in _allow_hooks
	is_string(id)
	r := {"kind": "policy", "id": id, "resource": concat("/", _req.segs)}
} if _given("user")

_policy_reasons := set() if not _given("user")

_allow_hooks := ids if {
	ids := data.gatehouse.hooks.allow with input as object.remove(input, ["installation"])
}
