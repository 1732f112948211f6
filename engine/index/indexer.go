package index

import (
	"encoding/json"
	"hash/maphash"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Indexer keeps what turning changes into the next View needs. Records
// and memberships, the large collections, are not kept: their grants are
// in the View, tagged with the document they came from, and the Indexer
// keeps only the principals each names. The small collections are kept
// whole. Every document has a stamp to compare and order writes by.
type Indexer struct {
	stamps     map[string]map[string]stamp
	docs       map[string]map[string]model.Document // small collections
	userGroups map[string][]string                  // user → sorted group ids
	// tenantOnboardings maps a tenant to its onboarding ids, and
	// versionTenants an app version id to the tenants onboarded to it
	// (both sorted): what rebuilding a tenant's routes needs.
	tenantOnboardings map[string][]string
	versionTenants    map[string][]string
	// gone and buried are the tombstones of deleted writes (see stale).
	gone   map[string]map[string]tombstone
	buried []buriedRef
}

// stamp identifies one write of a document and, for records and
// memberships, names the principals it gives grants to.
type stamp struct {
	version int64
	updated int64  // Unix ns
	digest  uint64 // of the JSON encoding
	names   []string
	users   int // names[:users] are users, the rest groups
}

func (s *stamp) namedUsers() []string  { return s.names[:s.users] }
func (s *stamp) namedGroups() []string { return s.names[s.users:] }

// large reports whether a collection is kept as names, not documents.
func large(collection string) bool {
	return collection == model.Records || collection == model.Memberships
}

func newIndexer() *Indexer {
	ix := &Indexer{
		stamps: map[string]map[string]stamp{}, docs: map[string]map[string]model.Document{},
		userGroups: map[string][]string{}, tenantOnboardings: map[string][]string{}, versionTenants: map[string][]string{},
	}
	for _, c := range model.Collections {
		ix.stamps[c] = map[string]stamp{}
		if !large(c) {
			ix.docs[c] = map[string]model.Document{}
		}
	}
	return ix
}

// Build indexes a snapshot and makes its View at rev.
func Build(s *model.Snapshot, rev uint64) (*Indexer, *View) {
	ix := newIndexer()
	users, groups := map[string][]Grant{}, map[string][]Grant{}
	for _, c := range model.Collections {
		for _, d := range s.Docs(c) {
			ix.put(c, d)
			addGrants(d, users, groups)
		}
	}
	v := &View{rev: rev}
	for u := range ix.userGroups {
		if _, ok := users[u]; !ok {
			users[u] = nil
		}
	}
	for u, ts := range users {
		if p := ix.principal(u, ts, true); p != nil {
			v.users.set(u, p, false)
		}
	}
	for g, ts := range groups {
		if p := ix.principal(g, ts, false); p != nil {
			v.groups.set(g, p, false)
		}
	}
	for id := range ix.docs[model.Onboardings] {
		if p := ix.app(id); p != nil {
			v.apps.set(id, p, false)
		}
	}
	for id := range ix.docs[model.Roles] {
		v.roles.set(id, ix.roleEntry(id), false)
	}
	for id := range ix.docs[model.Installations] {
		v.installations.set(id, ix.installation(id), false)
	}
	for id := range ix.docs[model.Extensions] {
		v.extensions.set(id, ix.extension(id), false)
	}
	for tenant := range ix.tenantOnboardings {
		if r := ix.tenantRoutes(tenant); r != nil {
			v.routes.set(tenant, r, false)
		}
	}
	v.reverse = buildReverse(v)
	return ix, v
}

// principal makes a user's or group's entry from its grants; nil when it
// holds nothing.
func (ix *Indexer) principal(id string, grants []Grant, user bool) *principal {
	var groups []string
	if user {
		groups = slices.Clone(ix.userGroups[id])
	}
	if len(grants) == 0 && len(groups) == 0 {
		return nil
	}
	return newPrincipal(slices.Clone(grants), groups, user)
}

// addGrants adds the grants a record or membership gives, by principal.
func addGrants(doc model.Document, users, groups map[string][]Grant) {
	switch d := doc.(type) {
	case *model.Record:
		us, gs := recordPrincipals(d)
		for u := range us {
			users[u] = append(users[u], recordGrants(d, func(refs []model.UserRef, _ []model.GroupRef) bool {
				return slices.ContainsFunc(refs, func(r model.UserRef) bool { return r.UserID == u })
			})...)
		}
		for g := range gs {
			groups[g] = append(groups[g], recordGrants(d, func(_ []model.UserRef, refs []model.GroupRef) bool {
				return slices.ContainsFunc(refs, func(r model.GroupRef) bool { return r.GroupID == g })
			})...)
		}
	case *model.Membership:
		for _, role := range d.Roles {
			if g, ok := newGrant(FromMembership, d.ID, role, d.Context, d.ExpiresAt); ok {
				users[d.UserID] = append(users[d.UserID], g)
			}
		}
	}
}

// put adds doc: its stamp, and the document or the names it gives to.
func (ix *Indexer) put(collection string, doc model.Document) {
	id := doc.DocMeta().ID
	st := stampOf(doc)
	switch d := doc.(type) {
	case *model.Record:
		us, gs := recordPrincipals(d)
		st.names, st.users = append(keys(us), keys(gs)...), len(us)
	case *model.Membership:
		st.names, st.users = []string{d.UserID}, 1
	}
	ix.stamps[collection][id] = st
	ix.unbury(collection, id)
	switch d := doc.(type) {
	case *model.Record, *model.Membership:
	case *model.Group:
		for _, u := range d.Users {
			link(ix.userGroups, u.UserID, id)
		}
		ix.docs[collection][id] = doc
	case *model.Onboarding:
		ix.putOnboarding(d)
		ix.docs[collection][id] = doc
	default:
		ix.docs[collection][id] = doc
	}
}

// remove drops the document with id.
func (ix *Indexer) remove(collection, id string) {
	if g, ok := ix.docs[collection][id].(*model.Group); ok {
		for _, u := range g.Users {
			unlink(ix.userGroups, u.UserID, id)
		}
	}
	if o, ok := ix.docs[collection][id].(*model.Onboarding); ok {
		ix.removeOnboarding(o)
	}
	ix.bury(collection, id)
	delete(ix.stamps[collection], id)
	delete(ix.docs[collection], id)
}

var digestSeed = maphash.MakeSeed()

func stampOf(doc model.Document) stamp {
	m := doc.DocMeta()
	return stamp{version: m.Version, updated: unixNanos(m.UpdatedAt), digest: digest(doc)}
}

// digest hashes the JSON encoding, which ignores what decoding does not
// preserve (time zones' identity, monotonic clocks); 0 when the document
// does not encode (a year after 9999), which never equals another.
func digest(doc model.Document) uint64 {
	raw, err := json.Marshal(doc)
	if err != nil {
		return 0
	}
	return maphash.Bytes(digestSeed, raw)
}

// same reports whether doc is the write the stamp records.
func (s stamp) same(doc model.Document) bool {
	d := digest(doc)
	return d != 0 && d == s.digest
}

// app makes the entry of the app an onboarding names, keyed by the
// onboarding's id: its grants in the tenant (see onboardingGrants); nil
// when it holds none.
func (ix *Indexer) app(id string) *principal {
	o, ok := ix.docs[model.Onboardings][id].(*model.Onboarding)
	if !ok {
		return nil
	}
	grants := onboardingGrants(o)
	if len(grants) == 0 {
		return nil
	}
	return newPrincipal(grants, nil, false)
}

func (ix *Indexer) roleEntry(id string) *roleView {
	if r, ok := ix.docs[model.Roles][id].(*model.Role); ok {
		return newRoleView(r)
	}
	return nil
}

func (ix *Indexer) installation(id string) *installationView {
	if in, ok := ix.docs[model.Installations][id].(*model.Installation); ok {
		return newInstallationView(in)
	}
	return nil
}

func (ix *Indexer) extension(id string) *extensionView {
	if x, ok := ix.docs[model.Extensions][id].(*model.Extension); ok {
		perms := patterns(x.Permissions)
		return &extensionView{permissions: perms, value: ast.NewObject(ast.Item(ast.InternedTerm("permissions"), segsTerm(perms)))}
	}
	return nil
}

// recordPrincipals returns every user and group a record names anywhere.
func recordPrincipals(r *model.Record) (set, set) {
	users, groups := set{}, set{}
	add := func(us []model.UserRef, gs []model.GroupRef) {
		for _, u := range us {
			users[u.UserID] = struct{}{}
		}
		for _, g := range gs {
			groups[g.GroupID] = struct{}{}
		}
	}
	add(r.Users, r.Groups)
	for _, st := range r.Statements {
		add(st.Users, st.Groups)
	}
	return users, groups
}

// link adds id to m[key], keeping it sorted and unique.
func link(m map[string][]string, key, id string) {
	ids := m[key]
	if i, found := slices.BinarySearch(ids, id); !found {
		m[key] = slices.Insert(ids, i, id)
	}
}

// unlink removes id from m[key], dropping the key when it empties.
func unlink(m map[string][]string, key, id string) {
	ids := m[key]
	if i, found := slices.BinarySearch(ids, id); found {
		ids = slices.Delete(ids, i, i+1)
	}
	if len(ids) == 0 {
		delete(m, key)
		return
	}
	m[key] = ids
}

// Has reports whether a document is loaded.
func (ix *Indexer) Has(collection, id string) bool {
	_, ok := ix.stamps[collection][id]
	return ok
}

// Role returns the role with id as last written; false when there is none.
func (ix *Indexer) Role(id string) (*model.Role, bool) {
	r, ok := ix.docs[model.Roles][id].(*model.Role)
	return r, ok
}

// Counts returns how many documents of each collection are loaded.
func (ix *Indexer) Counts() map[string]int {
	counts := map[string]int{}
	for c, stamps := range ix.stamps {
		counts[c] = len(stamps)
	}
	return counts
}

// Policies returns the custom policies, sorted by id.
func (ix *Indexer) Policies() []model.Policy {
	var out []model.Policy
	for _, id := range keys(ix.docs[model.Policies]) {
		out = append(out, *ix.docs[model.Policies][id].(*model.Policy))
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
