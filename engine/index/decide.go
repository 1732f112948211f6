package index

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/engine/model"
)

// The built-in decision, evaluated natively over a View. It answers
// exactly as data.gatehouse.authz.decision does (the Rego stays the
// definition, and what bundles and sidecars run); differential tests hold
// the two equal. The engine uses it unless a custom policy declares hook
// rules (package gatehouse.hooks), which the Rego decision consults.

// Input is one decision question. User alone, User with Installation,
// Installation alone, or App with Tenant (the app as a principal, with the
// roles its onboarding to the tenant gave it). "" is absent.
type Input struct {
	User         string `json:"user,omitempty"`
	Installation string `json:"installation,omitempty"`
	App          string `json:"app,omitempty"`
	Tenant       string `json:"tenant,omitempty"`
	Resource     string `json:"resource"`
	Permission   string `json:"permission"`
}

// Validate lists every problem with the input.
func (in Input) Validate() []model.Problem {
	var ps model.Problems
	switch {
	case in.App != "" || in.Tenant != "":
		if in.App == "" {
			ps.Add("app", "is required with tenant")
		}
		if in.Tenant == "" {
			ps.Add("tenant", "is required with app")
		}
		if in.User != "" {
			ps.Add("user", "cannot be combined with app and tenant")
		}
		if in.Installation != "" {
			ps.Add("installation", "cannot be combined with app and tenant")
		}
	case in.User == "" && in.Installation == "":
		ps.Add("user", "user, installation, or app and tenant is required")
	}
	ps.OptionalID("user", in.User)
	ps.OptionalID("installation", in.Installation)
	if in.App != "" && !model.CheckAppID(in.App) {
		ps.Add("app", "must be an app id, namespace:name in lower-case letters, digits and inner hyphens")
	}
	if in.Tenant != "" {
		if err := model.CheckTenantID(in.Tenant); err != nil {
			ps.Add("tenant", "%v", err)
		}
	}
	if in.Resource == "" {
		ps.Add("resource", "is required")
	} else if _, err := model.NormalizeURI(in.Resource); err != nil {
		ps.Add("resource", "%v", err)
	}
	if in.Permission == "" {
		ps.Add("permission", "is required")
	} else if _, err := model.ActionSegments(in.Permission); err != nil {
		ps.Add("permission", "%v", err)
	}
	return ps.List()
}

// Reason is a grant or installation that contributed to an allow.
type Reason struct {
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Role     string `json:"role,omitempty"`
	Resource string `json:"resource"`
}

// Decision is the answer to an Input.
type Decision struct {
	Allowed    bool     `json:"allowed"`
	DecisionID string   `json:"decision_id"`
	Revision   uint64   `json:"revision"`
	Reasons    []Reason `json:"reasons"`
	DeniedBy   *string  `json:"denied_by"`
}

// Sides a decision can be denied by, in the order they are checked.
var (
	deniedInvalidInput       = "invalid_input"
	deniedUser               = "user"
	deniedApp                = "app"
	deniedInstallationStatus = "installation_status"
	deniedInstallationScope  = "installation_scope"
	deniedConsent            = "consent"
)

// request is a decision's input split once, as grants.request does.
type request struct {
	uri       string   // without one leading and one trailing "/"
	segs      []string // uri split on "/"
	action    []string // the permission lower-cased, split on ":"
	actionKey string   // action joined with ":" plus a trailing ":"
	now       int64
}

// newRequest splits in; false when it is not a valid request
// (match.valid_resource_segments and match.valid_action_segments).
func newRequest(in Input, now int64) (request, bool) {
	uri := model.TrimURI(in.Resource)
	action := model.FoldAction(in.Permission)
	r := request{uri: uri, segs: strings.Split(uri, "/"), action: strings.Split(action, ":"), actionKey: action + ":", now: now}
	ok := validSubjects(in) &&
		len(in.Resource) <= model.MaxURIBytes && len(r.segs) <= model.MaxURISegments && validSegments(r.segs) &&
		utf8.RuneCountInString(in.Permission) <= model.MaxActionChars && !slices.Contains(r.action, "") &&
		model.CheckText(in.Resource) == nil && model.CheckText(in.Permission) == nil
	return r, ok
}

// validSubjects reports whether in names its subjects as authz.rego's
// _subject_given and not _malformed_subject require: user, installation
// or both, or app with tenant alone, each a valid id of its kind.
func validSubjects(in Input) bool {
	if in.App != "" || in.Tenant != "" {
		return in.User == "" && in.Installation == "" && model.CheckAppID(in.App) && model.CheckTenantID(in.Tenant) == nil
	}
	return (in.User != "" || in.Installation != "") && validSubject(in.User) && validSubject(in.Installation)
}

// validSubject is match.valid_id for a given subject; "" is not given.
func validSubject(id string) bool { return id == "" || model.CheckID(id) == nil }

// validSegments refuses empty, "." and ".." segments.
func validSegments(segs []string) bool {
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return false
		}
	}
	return true
}

// prefixes calls f with "" and each "/" prefix of the URI, shortest first.
func (r *request) prefixes(f func(string)) {
	f("")
	for i := 0; i < len(r.uri); i++ {
		if r.uri[i] == '/' {
			f(r.uri[:i])
		}
	}
	f(r.uri)
}

// Decide answers in at now, as data.gatehouse.authz.decision does without
// hook rules.
func (v *View) Decide(in Input, now int64) Decision {
	req, ok := newRequest(in, now)
	if !ok {
		return v.denied(&deniedInvalidInput)
	}
	var reasons []Reason
	if in.User != "" {
		if reasons = v.allowing(in.User, &req); len(reasons) == 0 {
			return v.denied(&deniedUser)
		}
	}
	if in.App != "" {
		if reasons = v.appAllowing(model.OnboardingID(in.Tenant, in.App), &req); len(reasons) == 0 {
			return v.denied(&deniedApp)
		}
	}
	if in.Installation != "" {
		inst, _ := v.installations.get(in.Installation)
		if inst == nil || inst.status != "ACTIVE" {
			return v.denied(&deniedInstallationStatus)
		}
		scope := inst.scopeReasons(in.Installation, req.segs)
		if len(scope) == 0 {
			return v.denied(&deniedInstallationScope)
		}
		if !v.consented(inst, req.action) {
			return v.denied(&deniedConsent)
		}
		reasons = append(reasons, scope...)
	}
	return Decision{Allowed: true, Revision: v.rev, Reasons: sortedSet(reasons)}
}

func (v *View) denied(side *string) Decision {
	return Decision{Revision: v.rev, Reasons: []Reason{}, DeniedBy: side}
}

// allowing lists the reasons of the user's unexpired grants, direct and
// through groups, that cover the request with a role allowing its action.
func (v *View) allowing(user string, req *request) []Reason {
	p, ok := v.users.get(user)
	if !ok {
		return nil
	}
	out := v.collect(p, req, nil)
	for _, g := range p.groups {
		if gp, ok := v.groups.get(g); ok {
			out = v.collect(gp, req, out)
		}
	}
	return out
}

// appAllowing lists the reasons of the grants the onboarding gives its
// app that cover the request with a role allowing its action.
func (v *View) appAllowing(onboarding string, req *request) []Reason {
	p, ok := v.apps.get(onboarding)
	if !ok {
		return nil
	}
	return v.collect(p, req, nil)
}

func (v *View) collect(p *principal, req *request, out []Reason) []Reason {
	req.prefixes(func(prefix string) {
		ts := p.at(prefix)
		for i := range ts {
			t := &ts[i]
			if (t.Pattern == nil || model.Covers(*t.Pattern, req.segs)) && t.live(req.now) && v.roleAllows(t.Role, req) {
				out = append(out, Reason{Kind: t.Kind.String(), ID: t.ID, Role: t.Role, Resource: t.Resource})
			}
		}
	})
	return out
}

// roleAllows reports whether the role exists, is active and allows an
// action implying the request's.
func (v *View) roleAllows(id string, req *request) bool {
	r, ok := v.roles.get(id)
	if !ok || !r.active {
		return false
	}
	for _, a := range r.allows {
		if strings.HasPrefix(req.actionKey, a) {
			return true
		}
	}
	return slices.ContainsFunc(r.allowsWild, func(p []string) bool { return model.Covers(p, req.action) })
}

// scopeReasons lists the installation's scope entries covering segs.
func (in *installationView) scopeReasons(id string, segs []string) []Reason {
	var out []Reason
	for _, res := range in.resources {
		if model.Covers(res.segs, segs) {
			out = append(out, Reason{Kind: "installation", ID: id, Resource: res.resource})
		}
	}
	return out
}

// consented reports whether the installation consented to an action
// implying this one and its extension still requests one implying it.
func (v *View) consented(in *installationView, action []string) bool {
	implied := func(p []string) bool { return model.Covers(p, action) }
	if !slices.ContainsFunc(in.consented, implied) {
		return false
	}
	x, ok := v.extensions.get(in.extension)
	return ok && slices.ContainsFunc(x.permissions, implied)
}

// sortedSet sorts reasons as OPA orders the objects of a set (by id,
// Kind, resource, then role) and drops repeats.
func sortedSet(rs []Reason) []Reason {
	slices.SortFunc(rs, func(a, b Reason) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Kind, b.Kind),
			strings.Compare(a.Resource, b.Resource), strings.Compare(a.Role, b.Role))
	})
	return slices.Compact(rs)
}

// NextExpiry returns the earliest expiry after now among the grants the
// user holds directly or through groups; MaxInt64 when none.
func (v *View) NextExpiry(user string, now int64) int64 {
	next := int64(math.MaxInt64)
	p, ok := v.users.get(user)
	if !ok {
		return next
	}
	consider := func(p *principal) {
		for i := range p.grants {
			if e := p.grants[i].Expires; e > now && e < next {
				next = e
			}
		}
	}
	consider(p)
	for _, g := range p.groups {
		if gp, ok := v.groups.get(g); ok {
			consider(gp)
		}
	}
	return next
}
