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
	return newIndexer(s).document()
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

// document renders the whole index.
func (ix *indexer) document() map[string]any {
	users, groups := map[string]any{}, map[string]any{}
	for u := range ix.allUsers() {
		if doc := ix.userDoc(u); doc != nil {
			users[u] = doc
		}
	}
	for g := range ix.groupRecords {
		if doc := ix.groupDoc(g); doc != nil {
			groups[g] = doc
		}
	}
	out := map[string]any{keyUsers: users, keyGroups: groups}
	for _, key := range []string{keyRoles, keyInstallations, keyExtensions} {
		entries := map[string]any{}
		for id := range ix.docs[collectionOf(key)] {
			entries[id] = ix.entry(key, id)
		}
		out[key] = entries
	}
	return out
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

func collectionOf(key string) string {
	switch key {
	case keyRoles:
		return model.Roles
	case keyInstallations:
		return model.Installations
	case keyExtensions:
		return model.Extensions
	}
	return ""
}

// entry renders roles/installations/extensions entries; nil when absent.
func (ix *indexer) entry(key, id string) any {
	d, ok := ix.docs[collectionOf(key)][id]
	if !ok {
		return nil
	}
	switch doc := d.(type) {
	case *model.Role:
		return roleEntry(doc)
	case *model.Installation:
		return installationEntry(doc)
	case *model.Extension:
		return map[string]any{"permissions": patterns(doc.Permissions)}
	}
	return nil
}

// userDoc renders users/<id>; nil when the user holds nothing.
func (ix *indexer) userDoc(u string) any {
	var grants []any
	for _, id := range ix.userRecords[u] {
		rec := ix.docs[model.Records][id].(*model.Record)
		grants = append(grants, recordGrants(rec, func(users []model.UserRef, _ []model.GroupRef) bool {
			return slices.ContainsFunc(users, func(r model.UserRef) bool { return r.UserID == u })
		})...)
	}
	for _, id := range ix.userMemberships[u] {
		m := ix.docs[model.Memberships][id].(*model.Membership)
		for _, role := range m.Roles {
			if g := grant(KindMembership, m.ID, role, m.Context, m.ExpiresAt); g != nil {
				grants = append(grants, g)
			}
		}
	}
	groups := ix.userGroups[u]
	if len(grants) == 0 && len(groups) == 0 {
		return nil
	}
	doc := principalDoc(grants)
	doc["groups"] = anys(groups)
	return doc
}

// principalDoc files grant tuples under a prefix of the URIs they cover
// (by_prefix): a tuple without "*" (5 fields) under its resource, one with
// "*" (6 fields, with segs) under the literal part before its first "*"
// ("" when it starts with "*"). A decision looks up only the request's
// prefixes, and checks segments only for the "*" tuples found there.
func principalDoc(grants []any) map[string]any {
	byPrefix := map[string]any{}
	for _, g := range grants {
		t := g.([]any)
		segs := t[tupleSegs].([]any)
		star := slices.Index(segs, any("*"))
		if star < 0 {
			file(byPrefix, t[tupleResource].(string), t[:tupleSegs])
			continue
		}
		file(byPrefix, joinAny(segs[:star], "/"), t)
	}
	return map[string]any{"by_prefix": byPrefix}
}

func file(m map[string]any, key string, t []any) {
	list, _ := m[key].([]any)
	m[key] = append(list, t)
}

func joinAny(xs []any, sep string) string {
	ss := make([]string, len(xs))
	for i, x := range xs {
		ss[i] = x.(string)
	}
	return strings.Join(ss, sep)
}

// groupDoc renders groups/<id>; nil when the group holds nothing.
func (ix *indexer) groupDoc(gid string) any {
	var grants []any
	for _, id := range ix.groupRecords[gid] {
		rec := ix.docs[model.Records][id].(*model.Record)
		grants = append(grants, recordGrants(rec, func(_ []model.UserRef, groups []model.GroupRef) bool {
			return slices.ContainsFunc(groups, func(r model.GroupRef) bool { return r.GroupID == gid })
		})...)
	}
	if len(grants) == 0 {
		return nil
	}
	return principalDoc(grants)
}

// recordGrants renders the grants of an active record's statements whose
// principals (the statement's own, else the record's) satisfy holds.
func recordGrants(r *model.Record, holds func([]model.UserRef, []model.GroupRef) bool) []any {
	if r.Status != model.StatusActive {
		return nil
	}
	var out []any
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
				if g := grant(KindRecord, r.ID, role, res.ResourceURI, r.ExpiresAt); g != nil {
					out = append(out, g)
				}
			}
		}
	}
	return out
}

// Positions in a grant tuple [kind, id, role, resource, expires, segs].
// Tuples rather than objects: an OPA array costs a fraction of an object,
// and there are as many grants as the store has statements. expires is 0
// without expiry; segs is kept only for patterns with "*".
const (
	tupleKind = iota
	tupleID
	tupleRole
	tupleResource
	tupleExpires
	tupleSegs
)

// grant renders one grant tuple (with segs); nil when the URI is invalid.
func grant(kind, id, role, uri string, expires *time.Time) []any {
	segs, err := model.URISegments(uri)
	if err != nil {
		return nil
	}
	norm, _ := model.NormalizeURI(uri)
	var exp int64
	if expires != nil {
		exp = expiryNanos(*expires)
	}
	return []any{kind, id, role, norm, exp, anys(segs)}
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

// roleEntry renders a role: its permissions with flags, and for decisions
// the allowed patterns without "*" segments as prefixes (allows: "read:"
// for read and read:*, "" for *; a request "read:projects:" starting with
// one is implied) and those with "*" segments as segments (allows_wild).
func roleEntry(r *model.Role) map[string]any {
	perms := make([]any, 0, len(r.Permissions))
	allows, allowsWild := []any{}, []any{}
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
			allowsWild = append(allowsWild, anys(segs))
		case len(segs) == 0:
			allows = append(allows, "")
		default:
			allows = append(allows, strings.Join(segs, ":")+":")
		}
	}
	return map[string]any{"active": r.Active(), "permissions": perms, "allows": allows, "allows_wild": allowsWild}
}

func installationEntry(in *model.Installation) map[string]any {
	resources := []any{}
	for _, uri := range in.Scope() {
		if segs, err := model.URISegments(uri); err == nil {
			norm, _ := model.NormalizeURI(uri)
			resources = append(resources, map[string]any{"resource": norm, "segs": anys(segs)})
		}
	}
	return map[string]any{
		"extension": in.ExtensionID,
		"status":    in.Status,
		"resources": resources,
		"consented": patterns(in.ConsentedPermissions),
	}
}

func patterns(actions []string) []any {
	out := []any{}
	for _, a := range actions {
		if segs, err := model.PatternSegments(a); err == nil {
			out = append(out, anys(segs))
		}
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
