package index

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Explanations, computed over a View on request, off the hot path: the
// chains behind an allow and, on a deny, the nearest misses. They read
// the view with the checks View.Decide makes, in its order, and never
// change a decision.

// MaxNearMisses caps the near misses of one explanation.
const MaxNearMisses = 5

// Near-miss reasons. A grant's miss fails exactly one check; the
// installation's carry the names denied_by gives its checks.
const (
	MissAction       = "action"        // the grant covers the resource; its role allows other actions
	MissResource     = "resource"      // the role allows the action, on resources not covering this one
	MissExpired      = "expired"       // the grant would allow but expired
	MissRoleInactive = "role_inactive" // the role would allow but is inactive
	MissRoleMissing  = "role_missing"  // the grant covers the resource; its role does not exist
	MissUser         = "user"          // the installation covers it, the user holds nothing allowing it
	MissStatus       = "installation_status"
	MissScope        = "installation_scope"
	MissConsent      = "consent"
	MissPolicy       = "policy" // a deny hook denied a chain that allows (set by the engine)
)

// Explanation is why a decision answers as it does. Paths is empty
// exactly when the decision denies; NearMisses is empty on an allow.
type Explanation struct {
	Paths      []ExplainPath  `json:"paths"`
	NearMisses []NearMiss     `json:"near_misses"`
	Extension  *ExtensionSide `json:"extension,omitempty"`
}

// ExplainPath is one chain to an allow: the principal ("user", directly
// or through Group; "app" in Tenant; "installation" alone), the grant
// (Kind, ID), its role, the role's permission pattern covering the action
// and the grant's resource pattern covering the resource. Installation is
// the one the user acts through; Expires (RFC 3339) when the grant expires.
type ExplainPath struct {
	Principal    string `json:"principal,omitempty"`
	User         string `json:"user,omitempty"`
	Group        string `json:"group,omitempty"`
	App          string `json:"app,omitempty"`
	Tenant       string `json:"tenant,omitempty"`
	Installation string `json:"installation,omitempty"`
	Kind         string `json:"kind,omitempty"`
	ID           string `json:"id,omitempty"`
	Role         string `json:"role,omitempty"`
	Permission   string `json:"permission,omitempty"`
	Resource     string `json:"resource,omitempty"`
	Expires      string `json:"expires,omitempty"`
}

// NearMiss is a chain that fails one check (Reason), said in Message.
// Permission is the role's pattern nearest the action on an action miss.
type NearMiss struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
	ExplainPath
}

// ExtensionSide is the installation's side of a decision: each scope
// resource, consented permission and permission its extension requests,
// whether it covers the request, and which checks pass.
type ExtensionSide struct {
	Installation string           `json:"installation"`
	Extension    string           `json:"extension,omitempty"`
	Status       string           `json:"status,omitempty"` // "" when the installation does not exist
	Scope        []SideResource   `json:"scope"`
	Consented    []SidePermission `json:"consented"`
	Requested    []SidePermission `json:"requested"`
	Covers       Coverage         `json:"covers"`
}

// SideResource is a scope resource and whether it covers the request's.
type SideResource struct {
	Resource string `json:"resource"`
	Covers   bool   `json:"covers"`
}

// SidePermission is a permission pattern and whether it implies the request's.
type SidePermission struct {
	Permission string `json:"permission"`
	Covers     bool   `json:"covers"`
}

// Coverage says which sides of the intersection cover the request. User
// is nil without a user.
type Coverage struct {
	User      *bool `json:"user,omitempty"`
	Status    bool  `json:"status"`
	Scope     bool  `json:"scope"`
	Consent   bool  `json:"consent"`
	Requested bool  `json:"requested"`
}

func (c Coverage) installation() bool { return c.Status && c.Scope && c.Consent && c.Requested }

// Explain explains View.Decide's answer to in at now.
func (v *View) Explain(in Input, now int64) Explanation {
	out := Explanation{Paths: []ExplainPath{}, NearMisses: []NearMiss{}}
	req, ok := newRequest(in, now)
	if !ok {
		return out
	}
	var held chains
	switch {
	case in.User != "":
		held = v.userChains(in.User, &req)
	case in.App != "":
		held = v.appChains(in, &req)
	}
	held.sort()
	if in.Installation != "" {
		out.Extension = v.extensionSide(in, &req)
		if in.User != "" {
			covers := len(held.paths) > 0
			out.Extension.Covers.User = &covers
		}
	}
	out.Paths, out.NearMisses = combine(in, &req, held, out.Extension)
	return out
}

// combine joins the subject's chains with the installation's side, as
// the decision does: the subject first, then the installation.
func combine(in Input, req *request, held chains, x *ExtensionSide) ([]ExplainPath, []NearMiss) {
	subject := in.User != "" || in.App != ""
	switch {
	case subject && len(held.paths) == 0:
		if x != nil && x.Covers.installation() {
			held.miss(MissUser, 0, 0, ExplainPath{Principal: "user", User: in.User, Installation: in.Installation},
				"installation %s covers %s on %s but user %s holds no grant allowing it", in.Installation, req.actionText(), req.uri, in.User)
		}
		return []ExplainPath{}, held.nearest()
	case x != nil && !x.Covers.installation():
		var first ExplainPath
		if subject {
			first = held.paths[0]
		}
		return []ExplainPath{}, extensionMisses(x, req, first)
	case !subject:
		return installationPaths(x), []NearMiss{}
	}
	if x != nil {
		for i := range held.paths {
			held.paths[i].Installation = in.Installation
		}
	}
	return held.paths, []NearMiss{}
}

// chains are a subject's paths and near misses, ranked.
type chains struct {
	paths  []ExplainPath
	misses []rankedMiss
}

// rankedMiss orders near misses: rank first (the kind of miss), then
// nearness (more leading segments matched first).
type rankedMiss struct {
	NearMiss
	rank, near int
}

// Ranks of near misses, nearest first.
var missRank = map[string]int{MissExpired: 1, MissRoleInactive: 2, MissAction: 3, MissRoleMissing: 4, MissResource: 5}

func (c *chains) miss(reason string, rank, near int, p ExplainPath, format string, args ...any) {
	c.misses = append(c.misses, rankedMiss{NearMiss{Reason: reason, Message: fmt.Sprintf(format, args...), ExplainPath: p}, rank, near})
}

// sort orders the paths as reasons and drops repeats.
func (c *chains) sort() {
	slices.SortFunc(c.paths, comparePaths)
	c.paths = slices.Compact(c.paths)
}

// nearest returns the first MaxNearMisses distinct near misses.
func (c *chains) nearest() []NearMiss {
	slices.SortFunc(c.misses, func(a, b rankedMiss) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(b.near, a.near),
			comparePaths(a.ExplainPath, b.ExplainPath), strings.Compare(a.Reason, b.Reason), strings.Compare(a.Message, b.Message))
	})
	out := []NearMiss{}
	for _, m := range c.misses {
		if len(out) == MaxNearMisses {
			break
		}
		if !slices.Contains(out, m.NearMiss) {
			out = append(out, m.NearMiss)
		}
	}
	return out
}

// comparePaths orders paths as decisions order reasons (id, kind,
// resource, role), then by the rest.
func comparePaths(a, b ExplainPath) int {
	return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Resource, b.Resource),
		strings.Compare(a.Role, b.Role), strings.Compare(a.Group, b.Group), strings.Compare(a.Permission, b.Permission),
		strings.Compare(a.Expires, b.Expires))
}

// userChains judges the user's grants, direct and through groups.
func (v *View) userChains(user string, req *request) chains {
	var c chains
	p, ok := v.users.get(user)
	if !ok {
		return c
	}
	base := ExplainPath{Principal: "user", User: user}
	v.judgeAll(p, base, req, &c)
	for _, g := range p.groups {
		if gp, ok := v.groups.get(g); ok {
			b := base
			b.Group = g
			v.judgeAll(gp, b, req, &c)
		}
	}
	return c
}

// appChains judges the grants of the app's onboarding to the tenant.
func (v *View) appChains(in Input, req *request) chains {
	var c chains
	if p, ok := v.apps.get(model.OnboardingID(in.Tenant, in.App)); ok {
		v.judgeAll(p, ExplainPath{Principal: "app", App: in.App, Tenant: in.Tenant}, req, &c)
	}
	return c
}

func (v *View) judgeAll(p *principal, base ExplainPath, req *request, c *chains) {
	for i := range p.grants {
		v.judge(&p.grants[i], base, req, c)
	}
}

// judge files one grant as a path, as a near miss when exactly one
// check fails, or nowhere. The checks are collect's and roleAllows'.
func (v *View) judge(t *Grant, base ExplainPath, req *request, c *chains) {
	p := base
	p.Kind, p.ID, p.Role, p.Resource = t.Kind.String(), t.ID, t.Role, t.Resource
	if t.Expires != 0 {
		p.Expires = time.Unix(0, t.Expires).UTC().Format(time.RFC3339Nano)
	}
	covers, live := model.Covers(t.Segments(), req.segs), t.live(req.now)
	role, exists := v.roles.get(t.Role)
	if !exists {
		if covers && live {
			c.miss(MissRoleMissing, missRank[MissRoleMissing], 0, p, "the grant on %s names role %s, which does not exist", t.Resource, t.Role)
		}
		return
	}
	perms := role.allowingPerms()
	p.Permission = implying(perms, req.action)
	allows, action := p.Permission != "", req.actionText()
	switch {
	case covers && live && allows && role.active:
		c.paths = append(c.paths, p)
	case covers && allows && role.active:
		c.miss(MissExpired, missRank[MissExpired], 0, p, "role %s on %s would allow %s but the grant expired at %s", t.Role, t.Resource, action, p.Expires)
	case covers && live && allows:
		c.miss(MissRoleInactive, missRank[MissRoleInactive], 0, p, "role %s on %s would allow %s but is inactive", t.Role, t.Resource, action)
	case covers && live && role.active:
		v.actionMiss(perms, p, req, c)
	case live && allows && role.active:
		c.miss(MissResource, missRank[MissResource], matched(t.Segments(), req.segs), p,
			"holds %s on %s, which does not cover %s", p.Permission, t.Resource, req.uri)
	}
}

// actionMiss files a grant covering the resource whose role allows other
// actions, naming the allowed pattern nearest the requested action.
func (v *View) actionMiss(perms []rolePerm, p ExplainPath, req *request, c *chains) {
	if len(perms) == 0 {
		c.miss(MissAction, missRank[MissAction], 0, p, "role %s on %s allows no action", p.Role, p.Resource)
		return
	}
	best := 0
	for i := range perms {
		if matched(perms[i].segs, req.action) > matched(perms[best].segs, req.action) {
			best = i
		}
	}
	p.Permission = perms[best].action
	c.miss(MissAction, missRank[MissAction], matched(perms[best].segs, req.action), p,
		"holds %s on %s but not %s", p.Permission, p.Resource, req.actionText())
}

// matched counts the leading request segments the pattern matches.
func matched(pattern, request []string) int {
	n := 0
	for n < len(pattern) && n < len(request) && (pattern[n] == "*" || pattern[n] == request[n]) {
		n++
	}
	return n
}

// rolePerm is one of a role's allowing permissions: the pattern as
// written and its segments (model.PatternSegments).
type rolePerm struct {
	action string
	segs   []string
}

// allowingPerms reads the role's allowing permissions back from its index
// entry (newRoleView), which keeps them as written.
func (r *roleView) allowingPerms() []rolePerm {
	obj, _ := r.value.(ast.Object)
	var list *ast.Array
	if obj != nil {
		if t := obj.Get(ast.InternedTerm("permissions")); t != nil {
			list, _ = t.Value.(*ast.Array)
		}
	}
	var out []rolePerm
	for i := 0; list != nil && i < list.Len(); i++ {
		p, _ := list.Elem(i).Value.(ast.Object)
		if p == nil {
			continue
		}
		allow, action := p.Get(ast.InternedTerm("allow")), p.Get(ast.InternedTerm("action"))
		if allow == nil || action == nil || !allow.Equal(ast.BooleanTerm(true)) {
			continue
		}
		if action, ok := action.Value.(ast.String); !ok {
			continue
		} else if segs, err := model.PatternSegments(string(action)); err == nil {
			out = append(out, rolePerm{action: string(action), segs: segs})
		}
	}
	return out
}

// implying returns the most specific pattern implying the action (the
// first of the longest); "" when none does.
func implying(perms []rolePerm, action []string) string {
	best, n := "", -1
	for _, p := range perms {
		if model.Covers(p.segs, action) && len(p.segs) > n {
			best, n = p.action, len(p.segs)
		}
	}
	return best
}

// actionText is the request's action as the decision compares it.
func (r *request) actionText() string { return strings.Join(r.action, ":") }
