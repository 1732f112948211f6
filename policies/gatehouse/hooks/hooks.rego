# METADATA
# title: Decision hooks
# description: |
#   The extension point of the built-in decision. The built-in model
#   declares no rules here; custom policies (PUT /v1/policies/{id}) may,
#   and they are the only gatehouse package custom policies may add rules
#   to. data.gatehouse.authz.decision (and so allow, /v1/authorize and
#   every sidecar) consults two sets, each read with the decision's input:
#
#   deny contains msg if ...  -- any member denies (denied_by "policy",
#     checked after every side of the model, so denied_by still names the
#     model's failing side first). A deny hook can only narrow.
#
#   allow contains id if ...  -- each string member passes the user side
#     of a decision that names a user, as the reason
#     {"kind": "policy", "id": id, "resource": <the request's URI>}.
#     Allow hooks are evaluated with the input minus "installation": they
#     decide for the user alone. The installation's status, scope and
#     consent still apply after them, and deny hooks still apply, so a user
#     never gains anything through an extension and an extension never
#     exceeds its consent. Members that are not strings are ignored; allow
#     hooks are not consulted for an installation acting alone or for an
#     app (deny hooks are: they apply to every decision).
#
#   deny and allow must be multi-value rules ("contains") declared at
#   exactly data.gatehouse.hooks.deny and data.gatehouse.hooks.allow;
#   other rules in this package (helpers) are free. With no hook rules
#   loaded both sets are empty and the decision is the model's alone.
package gatehouse.hooks
