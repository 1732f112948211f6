package engine

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Grant kinds, as they appear in reasons.
const (
	KindRecord     = "record"
	KindMembership = "membership"
)

// Top-level keys of the index document at data.gatehouse.index.
const (
	keyRoles         = "roles"
	keyUsers         = "users"
	keyGroups        = "groups"
	keyInstallations = "installations"
	keyExtensions    = "extensions"
)

// BuildIndex turns a snapshot into the document served at
// data.gatehouse.index: grants keyed by the user or group a decision starts
// from, roles keyed by id with pre-parsed actions, installations and
// extensions by id. Deleted records are left out; expiry stays in the grant
// because it is checked against the decision time.
func BuildIndex(s *model.Snapshot) map[string]any {
	return newIndexer(s).view(0).document()
}

// indexer holds every document by id plus the reverse maps needed to
// re-render only the index entries a change touches.
type indexer struct {
	docs map[string]map[string]model.Document
	// Reverse maps: principal → sorted ids of the documents naming it.
	// Sorted slices rather than sets: most hold one to three ids.
	userRecords     map[string][]string
	groupRecords    map[string][]string
	userMemberships map[string][]string
	userGroups      map[string][]string
}

type set map[string]struct{}

func newIndexer(s *model.Snapshot) *indexer {
	ix := &indexer{
		docs:            map[string]map[string]model.Document{},
		userRecords:     map[string][]string{},
		groupRecords:    map[string][]string{},
		userMemberships: map[string][]string{},
		userGroups:      map[string][]string{},
	}
	for _, c := range model.Collections {
		ix.docs[c] = map[string]model.Document{}
		for _, d := range s.Docs(c) {
			ix.put(c, d)
		}
	}
	return ix
}

func (ix *indexer) allUsers() set {
	out := set{}
	for _, m := range []map[string][]string{ix.userRecords, ix.userMemberships, ix.userGroups} {
		for u := range m {
			out[u] = struct{}{}
		}
	}
	return out
}

// view builds the whole view at rev.
func (ix *indexer) view(rev uint64) *view {
	v := &view{rev: rev}
	for u := range ix.allUsers() {
		if p := ix.userPrincipal(u); p != nil {
			v.users.set(u, p, false)
		}
	}
	for g := range ix.groupRecords {
		if p := ix.groupPrincipal(g); p != nil {
			v.groups.set(g, p, false)
		}
	}
	for id := range ix.docs[model.Roles] {
		v.roles.set(id, ix.role(id), false)
	}
	for id := range ix.docs[model.Installations] {
		v.installations.set(id, ix.installation(id), false)
	}
	for id := range ix.docs[model.Extensions] {
		v.extensions.set(id, ix.extension(id), false)
	}
	return v
}

// userPrincipal gathers a user's grants; nil when the user holds nothing.
func (ix *indexer) userPrincipal(u string) *principal {
	var grants []tuple
	for _, id := range ix.userRecords[u] {
		rec := ix.docs[model.Records][id].(*model.Record)
		grants = append(grants, recordGrants(rec, func(users []model.UserRef, _ []model.GroupRef) bool {
			return slices.ContainsFunc(users, func(r model.UserRef) bool { return r.UserID == u })
		})...)
	}
	for _, id := range ix.userMemberships[u] {
		m := ix.docs[model.Memberships][id].(*model.Membership)
		for _, role := range m.Roles {
			if g, ok := grant(KindMembership, m.ID, role, m.Context, m.ExpiresAt); ok {
				grants = append(grants, g)
			}
		}
	}
	groups := ix.userGroups[u]
	if len(grants) == 0 && len(groups) == 0 {
		return nil
	}
	return newPrincipal(grants, slices.Clone(groups), true)
}

// groupPrincipal gathers a group's grants; nil when it holds nothing.
func (ix *indexer) groupPrincipal(gid string) *principal {
	var grants []tuple
	for _, id := range ix.groupRecords[gid] {
		rec := ix.docs[model.Records][id].(*model.Record)
		grants = append(grants, recordGrants(rec, func(_ []model.UserRef, groups []model.GroupRef) bool {
			return slices.ContainsFunc(groups, func(r model.GroupRef) bool { return r.GroupID == gid })
		})...)
	}
	if len(grants) == 0 {
		return nil
	}
	return newPrincipal(grants, nil, false)
}

func (ix *indexer) role(id string) *roleView {
	if r, ok := ix.docs[model.Roles][id].(*model.Role); ok {
		return newRoleView(r)
	}
	return nil
}

func (ix *indexer) installation(id string) *installationView {
	if in, ok := ix.docs[model.Installations][id].(*model.Installation); ok {
		return newInstallationView(in)
	}
	return nil
}

func (ix *indexer) extension(id string) *extensionView {
	if x, ok := ix.docs[model.Extensions][id].(*model.Extension); ok {
		perms := patterns(x.Permissions)
		return &extensionView{permissions: perms, doc: map[string]any{"permissions": segsDoc(perms)}}
	}
	return nil
}

// recordGrants renders the grants of an active record's statements whose
// principals (the statement's own, else the record's) satisfy holds.
func recordGrants(r *model.Record, holds func([]model.UserRef, []model.GroupRef) bool) []tuple {
	if r.Status != model.StatusActive {
		return nil
	}
	var out []tuple
	for _, st := range r.Statements {
		users, groups := st.Users, st.Groups
		if len(users)+len(groups) == 0 {
			users, groups = r.Users, r.Groups
		}
		if !holds(users, groups) {
			continue
		}
		for _, role := range st.Roles {
			for _, res := range st.Resources {
				if g, ok := grant(KindRecord, r.ID, role, res.ResourceURI, r.ExpiresAt); ok {
					out = append(out, g)
				}
			}
		}
	}
	return out
}

// grant makes one grant; false when the URI is invalid.
func grant(kind, id, role, uri string, expires *time.Time) (tuple, bool) {
	segs, err := model.URISegments(uri)
	if err != nil {
		return tuple{}, false
	}
	norm, _ := model.NormalizeURI(uri)
	t := tuple{kind: kind, id: id, role: role, resource: norm}
	if expires != nil {
		t.expires = expiryNanos(*expires)
	}
	if slices.Contains(segs, "*") {
		t.segs = segs
	}
	return t, true
}

// expiryNanos is t in Unix nanoseconds, clamped to what int64 holds
// (1678 to 2262): earlier expiries become 1 (long past), later ones the
// maximum (never in practice). UnixNano alone overflows outside that range.
func expiryNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, 1)):
		return 1
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// newRoleView splits a role's allowed patterns for decisions: those
// without "*" segments as prefixes (allows: "read:" for read and read:*,
// "" for *; a request "read:projects:" starting with one is implied) and
// those with "*" segments as segments (allowsWild).
func newRoleView(r *model.Role) *roleView {
	v := &roleView{active: r.Active(), allows: []string{}, allowsWild: [][]string{}}
	perms := make([]any, 0, len(r.Permissions))
	for _, p := range r.Permissions {
		segs, err := model.PatternSegments(p.Action)
		if err != nil {
			continue
		}
		perms = append(perms, map[string]any{
			"action": p.Action, "segs": anys(segs),
			"allow": p.Allows(), "grant": p.Grant, "delegate": p.Delegate,
		})
		switch {
		case !p.Allows():
		case slices.Contains(segs, "*"):
			v.allowsWild = append(v.allowsWild, segs)
		case len(segs) == 0:
			v.allows = append(v.allows, "")
		default:
			v.allows = append(v.allows, strings.Join(segs, ":")+":")
		}
	}
	v.doc = map[string]any{"active": v.active, "permissions": perms, "allows": anys(v.allows), "allows_wild": segsDoc(v.allowsWild)}
	return v
}

func newInstallationView(in *model.Installation) *installationView {
	v := &installationView{extension: in.ExtensionID, status: in.Status, consented: patterns(in.ConsentedPermissions)}
	resources := []any{}
	for _, uri := range in.Scope() {
		if segs, err := model.URISegments(uri); err == nil {
			norm, _ := model.NormalizeURI(uri)
			v.resources = append(v.resources, scopeEntry{resource: norm, segs: segs})
			resources = append(resources, map[string]any{"resource": norm, "segs": anys(segs)})
		}
	}
	v.doc = map[string]any{
		"extension": in.ExtensionID,
		"status":    in.Status,
		"resources": resources,
		"consented": segsDoc(v.consented),
	}
	return v
}

// patterns splits the valid action patterns into segments.
func patterns(actions []string) [][]string {
	out := [][]string{}
	for _, a := range actions {
		if segs, err := model.PatternSegments(a); err == nil {
			out = append(out, segs)
		}
	}
	return out
}

func segsDoc(list [][]string) []any {
	out := make([]any, len(list))
	for i, segs := range list {
		out[i] = anys(segs)
	}
	return out
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
