package engine

import (
	"encoding/json"
	"hash/maphash"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"

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
	_, v := build(s, 0)
	return v.json()
}

// indexer keeps what turning changes into the next view needs. Records
// and memberships, the large collections, are not kept: their grants are
// in the view, tagged with the document they came from, and the indexer
// keeps only the principals each names. The small collections are kept
// whole. Every document has a stamp to compare and order writes by.
type indexer struct {
	stamps     map[string]map[string]stamp
	docs       map[string]map[string]model.Document // small collections
	userGroups map[string][]string                  // user → sorted group ids
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

type set map[string]struct{}

// large reports whether a collection is kept as names, not documents.
func large(collection string) bool {
	return collection == model.Records || collection == model.Memberships
}

func newIndexer() *indexer {
	ix := &indexer{
		stamps: map[string]map[string]stamp{}, docs: map[string]map[string]model.Document{},
		userGroups: map[string][]string{},
	}
	for _, c := range model.Collections {
		ix.stamps[c] = map[string]stamp{}
		if !large(c) {
			ix.docs[c] = map[string]model.Document{}
		}
	}
	return ix
}

// build indexes a snapshot and renders its view at rev.
func build(s *model.Snapshot, rev uint64) (*indexer, *view) {
	ix := newIndexer()
	users, groups := map[string][]tuple{}, map[string][]tuple{}
	for _, c := range model.Collections {
		for _, d := range s.Docs(c) {
			ix.put(c, d)
			addGrants(d, users, groups)
		}
	}
	v := &view{rev: rev}
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
	for id := range ix.docs[model.Roles] {
		v.roles.set(id, ix.role(id), false)
	}
	for id := range ix.docs[model.Installations] {
		v.installations.set(id, ix.installation(id), false)
	}
	for id := range ix.docs[model.Extensions] {
		v.extensions.set(id, ix.extension(id), false)
	}
	return ix, v
}

// principal makes a user's or group's entry from its grants; nil when it
// holds nothing.
func (ix *indexer) principal(id string, grants []tuple, user bool) *principal {
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
func addGrants(doc model.Document, users, groups map[string][]tuple) {
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
			if g, ok := grant(kindMembership, d.ID, role, d.Context, d.ExpiresAt); ok {
				users[d.UserID] = append(users[d.UserID], g)
			}
		}
	}
}

// put adds doc: its stamp, and the document or the names it gives to.
func (ix *indexer) put(collection string, doc model.Document) {
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
	switch d := doc.(type) {
	case *model.Record, *model.Membership:
	case *model.Group:
		for _, u := range d.Users {
			link(ix.userGroups, u.UserID, id)
		}
		ix.docs[collection][id] = doc
	default:
		ix.docs[collection][id] = doc
	}
}

// remove drops the document with id.
func (ix *indexer) remove(collection, id string) {
	if g, ok := ix.docs[collection][id].(*model.Group); ok {
		for _, u := range g.Users {
			unlink(ix.userGroups, u.UserID, id)
		}
	}
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
		return &extensionView{permissions: perms, value: ast.NewObject(ast.Item(ast.InternedTerm("permissions"), segsTerm(perms)))}
	}
	return nil
}
