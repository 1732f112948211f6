package index

// Within returns the part of v that decisions on URIs under scope (the
// segments of a tenant's root, say) can use: the grants whose pattern can
// cover such a URI, the users, groups and apps (onboardings) holding them
// (a user also for a group kept), the roles those grants name, the
// installations whose scope reaches under scope, their extensions, and
// the routes of the tenants under scope. The result shares entries with v
// and renders like any view.
func (v *View) Within(scope []string) *View {
	out := &View{rev: v.rev}
	v.groups.each(func(id string, p *principal) {
		if grants := reaching(p.grants, scope); len(grants) > 0 {
			out.groups.set(id, &principal{grants: grants}, false)
		}
	})
	v.users.each(func(id string, p *principal) {
		grants, groups := reaching(p.grants, scope), []string{}
		for _, g := range p.groups {
			if _, ok := out.groups.get(g); ok {
				groups = append(groups, g)
			}
		}
		if len(grants)+len(groups) > 0 {
			out.users.set(id, &principal{grants: grants, groups: groups, user: true}, false)
		}
	})
	v.apps.each(func(id string, p *principal) {
		if grants := reaching(p.grants, scope); len(grants) > 0 {
			out.apps.set(id, &principal{grants: grants}, false)
		}
	})
	for _, holders := range []*shards[*principal]{&out.users, &out.groups, &out.apps} {
		holders.each(func(_ string, p *principal) {
			for i := range p.grants {
				if r, ok := v.roles.get(p.grants[i].Role); ok {
					out.roles.set(p.grants[i].Role, r, false)
				}
			}
		})
	}
	v.installations.each(func(id string, in *installationView) {
		for _, r := range in.resources {
			if reaches(r.segs, scope) {
				out.installations.set(id, in, false)
				if x, ok := v.extensions.get(in.extension); ok {
					out.extensions.set(in.extension, x, false)
				}
				break
			}
		}
	})
	v.withinRoutes(out, scope)
	return out
}

// withinRoutes keeps the routes of the tenants whose root
// (tenants/{tenant}) reaches under scope: for a tenant's scope, its own.
func (v *View) withinRoutes(out *View, scope []string) {
	v.routes.each(func(tenant string, r *tenantRoutes) {
		if reaches([]string{"tenants", tenant}, scope) {
			out.routes.set(tenant, r, false)
		}
	})
}

// reaching keeps the grants whose pattern can cover a URI under scope, in
// their order.
func reaching(grants []Grant, scope []string) []Grant {
	var out []Grant
	for i := range grants {
		if reaches(grants[i].Segments(), scope) {
			out = append(out, grants[i])
		}
	}
	return out
}

// reaches reports whether pattern segments can cover some URI under scope.
func reaches(pattern, scope []string) bool {
	for i := 0; i < len(pattern) && i < len(scope); i++ {
		if pattern[i] != "*" && pattern[i] != scope[i] {
			return false
		}
	}
	return true
}
