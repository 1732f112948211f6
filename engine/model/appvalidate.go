package model

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// HTTPMethods are the HTTP methods a resource may allow (RFC 9110), written
// in upper case as on the wire: method names are case-sensitive.
var HTTPMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

// Limits on what a manifest names.
const (
	MaxAppNameBytes      = 128  // resource, role and group names
	MaxRoutePatternBytes = 1024 // a resourcePath
)

const (
	// AppIDRule says what an app id must be, for problems naming one.
	AppIDRule   = "must be namespace:name, both lower-case letters, digits and inner hyphens (1-63 characters), like platform:participants or platform:<uuid in lower case>"
	versionRule = "must be a letter or digit, then up to 63 letters, digits, '.', '_', '+' or '-'"
)

// Validate checks a manifest on its own and lists every problem, with
// field paths like resources[1].permissions[0].httpMethod:
//   - appId is namespace:name (CheckAppID);
//   - resource, role and group names are valid text without "/", at most
//     MaxAppNameBytes, unique within their list;
//   - each resourcePath compiles as RE2, used as written (no implicit
//     anchors);
//   - allowedHttpMethods is not empty and names HTTPMethods, each once;
//   - each permission's action is a valid action without "*" (a name,
//     not a pattern), its httpMethod is one of its resource's
//     allowedHttpMethods, a resource has no (action, method) pair twice
//     and at most one active permission per method;
//   - a role names at least one action, each declared by some permission,
//     each once (actions compare case-insensitively, as in the core model);
//   - rolesRequired entries are appId/roleName with a valid appId, each
//     once; one naming this app's own role names a role it defines that
//     apps may hold;
//   - a user group names at least one role, each a role of this app that
//     users may hold (canGrantToUsers is not false), each once.
//
// Whether another app's role may go to apps (canGrantToApps) needs that
// app's manifest: Onboard checks it.
func (m *Manifest) Validate() []Problem {
	var ps Problems
	if !CheckAppID(m.AppID) {
		ps.Add("appId", "%s", AppIDRule)
	}
	actions := validateResources(&ps, m.Resources)
	roles := validateRoles(&ps, m.Roles, actions)
	validateRequired(&ps, m, roles)
	validateGroups(&ps, m.UserGroupsRequired, roles)
	return ps.List()
}

func validateResources(ps *Problems, resources []AppResource) map[string]bool {
	actions := map[string]bool{}
	names := map[string]bool{}
	for i := range resources {
		r := &resources[i]
		f := fmt.Sprintf("resources[%d]", i)
		checkName(ps, f+".name", r.Name, names)
		checkPattern(ps, f+".resourcePath", r.ResourcePath)
		allowed := checkMethods(ps, f+".allowedHttpMethods", r.AllowedHTTPMethods)
		pairs := map[string]bool{}
		active := map[string]bool{}
		for j, p := range r.Permissions {
			pf := fmt.Sprintf("%s.permissions[%d]", f, j)
			if checkAction(ps, pf+".action", p.Action) {
				actions[foldAction(p.Action)] = true
			}
			switch {
			case !slices.Contains(HTTPMethods, p.HTTPMethod):
				ps.Add(pf+".httpMethod", "is %q, want one of %s", p.HTTPMethod, strings.Join(HTTPMethods, ", "))
			case !allowed[p.HTTPMethod]:
				ps.Add(pf+".httpMethod", "%s is not in the resource's allowedHttpMethods", p.HTTPMethod)
			case p.Active() && active[p.HTTPMethod]:
				ps.Add(pf, "a second active permission for %s: a method has at most one", p.HTTPMethod)
			case p.Active():
				active[p.HTTPMethod] = true
			}
			pair := foldAction(p.Action) + " " + p.HTTPMethod
			if pairs[pair] {
				ps.Add(pf, "repeats action %q for %s", p.Action, p.HTTPMethod)
			}
			pairs[pair] = true
		}
	}
	return actions
}

func validateRoles(ps *Problems, roles []AppRole, actions map[string]bool) map[string]*AppRole {
	byName := map[string]*AppRole{}
	names := map[string]bool{}
	for i := range roles {
		r := &roles[i]
		f := fmt.Sprintf("roles[%d]", i)
		if checkName(ps, f+".roleName", r.RoleName, names) {
			byName[r.RoleName] = r
		}
		if len(r.Permissions) == 0 {
			ps.Add(f+".permissions", "is empty")
		}
		seen := map[string]bool{}
		for j, a := range r.Permissions {
			af := fmt.Sprintf("%s.permissions[%d]", f, j)
			folded := foldAction(a)
			switch {
			case seen[folded]:
				ps.Add(af, "repeats %q", a)
			case !actions[folded]:
				ps.Add(af, "%q is not an action of any resource's permissions", a)
			}
			seen[folded] = true
		}
	}
	return byName
}

func validateRequired(ps *Problems, m *Manifest, roles map[string]*AppRole) {
	seen := map[string]bool{}
	for i, id := range m.RolesRequired {
		f := fmt.Sprintf("rolesRequired[%d]", i)
		app, role, ok := SplitAppRoleID(id)
		switch {
		case !ok:
			ps.Add(f, "%q must be appId/roleName", id)
		case !CheckAppID(app):
			ps.Add(f, "%q: the app id %s", id, AppIDRule)
		case checkNameText(role) != nil:
			ps.Add(f, "%q: the role name %v", id, checkNameText(role))
		case seen[id]:
			ps.Add(f, "repeats %q", id)
		case app == m.AppID && roles[role] == nil:
			ps.Add(f, "%q: this app defines no role %q", id, role)
		case app == m.AppID && !GrantsToApps(roles[role]):
			ps.Add(f, "%q has canGrantToApps: false", id)
		}
		seen[id] = true
	}
}

func validateGroups(ps *Problems, groups []UserGroup, roles map[string]*AppRole) {
	names := map[string]bool{}
	for i, g := range groups {
		f := fmt.Sprintf("userGroupsRequired[%d]", i)
		checkName(ps, f+".groupName", g.GroupName, names)
		if len(g.Roles) == 0 {
			ps.Add(f+".roles", "is empty")
		}
		seen := map[string]bool{}
		for j, name := range g.Roles {
			rf := fmt.Sprintf("%s.roles[%d]", f, j)
			switch r := roles[name]; {
			case seen[name]:
				ps.Add(rf, "repeats %q", name)
			case r == nil:
				ps.Add(rf, "%q is not a role of this app", name)
			case !GrantsToUsers(r):
				ps.Add(rf, "%q has canGrantToUsers: false and cannot go to a user group", name)
			}
			seen[name] = true
		}
	}
}

// checkName checks a resource, role or group name and that it is new in
// seen, and reports whether it is valid.
func checkName(ps *Problems, field, name string, seen map[string]bool) bool {
	if err := checkNameText(name); err != nil {
		ps.Add(field, "%v", err)
		return false
	}
	if seen[name] {
		ps.Add(field, "repeats %q: names are unique", name)
		return false
	}
	seen[name] = true
	return true
}

var errSlash = errors.New(`holds "/"`)

func checkNameText(name string) error {
	switch err := CheckID(name); {
	case errors.Is(err, ErrEmpty):
		return errors.New("is required")
	case err != nil:
		return err
	case len(name) > MaxAppNameBytes:
		return fmt.Errorf("%d bytes: %w (limit %d)", len(name), ErrTooLong, MaxAppNameBytes)
	case strings.Contains(name, "/"):
		return errSlash
	}
	return nil
}

func checkPattern(ps *Problems, field, pattern string) {
	switch {
	case pattern == "":
		ps.Add(field, "is required")
	case len(pattern) > MaxRoutePatternBytes:
		ps.Add(field, "%d bytes: %v (limit %d)", len(pattern), ErrTooLong, MaxRoutePatternBytes)
	case CheckText(pattern) != nil:
		ps.Add(field, "%v", CheckText(pattern))
	default:
		if _, err := regexp.Compile(pattern); err != nil {
			ps.Add(field, "does not compile as RE2: %v", err)
		}
	}
}

func checkMethods(ps *Problems, field string, methods []string) map[string]bool {
	if len(methods) == 0 {
		ps.Add(field, "is empty")
	}
	allowed := map[string]bool{}
	for i, m := range methods {
		switch {
		case !slices.Contains(HTTPMethods, m):
			ps.Add(fmt.Sprintf("%s[%d]", field, i), "is %q, want one of %s", m, strings.Join(HTTPMethods, ", "))
		case allowed[m]:
			ps.Add(fmt.Sprintf("%s[%d]", field, i), "repeats %s", m)
		}
		allowed[m] = true
	}
	return allowed
}

// checkAction checks a declared action and reports whether it is valid.
func checkAction(ps *Problems, field, action string) bool {
	segs, err := ActionSegments(action)
	switch {
	case strings.TrimSpace(action) == "":
		ps.Add(field, "is required")
	case err != nil:
		ps.Add(field, "%v", err)
	case slices.Contains(segs, "*"):
		ps.Add(field, "%q holds a \"*\" segment: an app action is a name, not a pattern", action)
	default:
		return true
	}
	return false
}

func GrantsToApps(r *AppRole) bool  { return r.CanGrantToApps == nil || *r.CanGrantToApps }
func GrantsToUsers(r *AppRole) bool { return r.CanGrantToUsers == nil || *r.CanGrantToUsers }
func AppRoleActive(r *AppRole) bool { return r.IsActive == nil || *r.IsActive }

// foldAction folds an action's case: the core model compares actions
// case-insensitively.
func foldAction(a string) string { return strings.ToLower(a) }

// CheckTenantID checks a tenant id an onboarding names: an id that is
// exactly one URI segment, since it becomes one in TenantAppURI and
// AppGroupID.
func CheckTenantID(id string) error {
	if err := CheckID(id); err != nil {
		if errors.Is(err, ErrEmpty) {
			return errors.New("is required")
		}
		return err
	}
	norm, err := NormalizeURI(id)
	switch {
	case err != nil:
		return err
	case norm != id || strings.Contains(id, "/"):
		return errors.New(`must be one URI segment, without "/"`)
	}
	return nil
}
