package model

import (
	"errors"
	"fmt"
)

// Document is implemented by every stored document type.
type Document interface {
	Validate() []Problem
	DocMeta() *Meta
}

// DocMeta returns the document's common fields.
func (m *Meta) DocMeta() *Meta { return m }

// kind ties a collection name to its documents in a snapshot.
type kind struct {
	create func() Document
	docs   func(*Snapshot) []Document
	merge  func(dst, base, over *Snapshot)
	add    func(s *Snapshot, d Document)
}

func kindOf[T any, P interface {
	*T
	Document
}](field func(*Snapshot) *[]T) kind {
	return kind{
		create: func() Document { return P(new(T)) },
		docs:   func(s *Snapshot) []Document { return pointers[T, P](*field(s)) },
		merge:  func(dst, base, over *Snapshot) { *field(dst) = mergeDocs[T, P](*field(base), *field(over)) },
		add:    func(s *Snapshot, d Document) { *field(s) = append(*field(s), *d.(P)) },
	}
}

// kinds is the one table of collections and the snapshot fields holding them.
var kinds = map[string]kind{
	Roles:         kindOf(func(s *Snapshot) *[]Role { return &s.Roles }),
	Records:       kindOf(func(s *Snapshot) *[]Record { return &s.Records }),
	Groups:        kindOf(func(s *Snapshot) *[]Group { return &s.Groups }),
	Memberships:   kindOf(func(s *Snapshot) *[]Membership { return &s.Memberships }),
	Extensions:    kindOf(func(s *Snapshot) *[]Extension { return &s.Extensions }),
	Installations: kindOf(func(s *Snapshot) *[]Installation { return &s.Installations }),
	Tenants:       kindOf(func(s *Snapshot) *[]Tenant { return &s.Tenants }),
	Apps:          kindOf(func(s *Snapshot) *[]AppVersion { return &s.Apps }),
	Onboardings:   kindOf(func(s *Snapshot) *[]Onboarding { return &s.Onboardings }),
	Policies:      kindOf(func(s *Snapshot) *[]Policy { return &s.Policies }),
}

// Docs returns pointers to every document of one collection, for
// iteration; nil for an unknown collection.
func (s *Snapshot) Docs(collection string) []Document {
	if k, ok := kinds[collection]; ok {
		return k.docs(s)
	}
	return nil
}

// Add appends a copy of doc, a document of collection, to the snapshot.
func (s *Snapshot) Add(collection string, doc Document) {
	if k, ok := kinds[collection]; ok {
		k.add(s, doc)
	}
}

func pointers[T any, P interface {
	*T
	Document
}](docs []T) []Document {
	out := make([]Document, len(docs))
	for i := range docs {
		out[i] = P(&docs[i])
	}
	return out
}

// Validate checks every document, duplicate ids and references between
// collections (roles, groups and extensions named must exist), and
// returns every problem found.
func (s *Snapshot) Validate() []Problem {
	var out []Problem
	for _, c := range Collections {
		seen := map[string]bool{}
		for _, d := range s.Docs(c) {
			id := d.DocMeta().ID
			for _, p := range d.Validate() {
				p.Collection, p.ID = c, id
				out = append(out, p)
			}
			if seen[id] {
				out = append(out, Problem{Collection: c, ID: id, Field: "_id", Message: "appears more than once"})
			}
			seen[id] = true
		}
	}
	return append(out, s.referenceProblems()...)
}

func (s *Snapshot) referenceProblems() []Problem {
	roles := ids(s.Roles, func(r Role) string { return r.ID })
	exts := ids(s.Extensions, func(e Extension) string { return e.ID })
	var out []Problem
	missing := func(c, id, field, kind, ref string, known map[string]bool) {
		if !known[ref] {
			out = append(out, Problem{Collection: c, ID: id, Field: field, Message: fmt.Sprintf("unknown %s %q", kind, ref)})
		}
	}
	for _, r := range s.Records {
		for i, st := range r.Statements {
			for j, role := range st.Roles {
				missing(Records, r.ID, fmt.Sprintf("statements[%d].roles[%d]", i, j), "role", role, roles)
			}
		}
	}
	for _, m := range s.Memberships {
		for j, role := range m.Roles {
			missing(Memberships, m.ID, fmt.Sprintf("roles[%d]", j), "role", role, roles)
		}
	}
	for _, in := range s.Installations {
		missing(Installations, in.ID, "extensionId", "extension", in.ExtensionID, exts)
	}
	versions := ids(s.Apps, func(v AppVersion) string { return v.ID })
	for _, o := range s.Onboardings {
		missing(Onboardings, o.ID, "versionId", "app version", AppVersionID(o.AppID, o.VersionID), versions)
		for j, g := range o.Grants {
			missing(Onboardings, o.ID, fmt.Sprintf("grants[%d].role", j), "role", g.Role, roles)
		}
	}
	return out
}

func ids[T any](docs []T, id func(T) string) map[string]bool {
	out := make(map[string]bool, len(docs))
	for _, d := range docs {
		out[id(d)] = true
	}
	return out
}

// Merge returns s with every document of other added, replacing documents
// of s with the same _id.
func (s *Snapshot) Merge(other *Snapshot) *Snapshot {
	out := &Snapshot{}
	for _, k := range kinds {
		k.merge(out, s, other)
	}
	return out
}

func mergeDocs[T any, P interface {
	*T
	Document
}](base, over []T) []T {
	at := map[string]int{}
	out := make([]T, 0, len(base)+len(over))
	for _, d := range append(append([]T{}, base...), over...) {
		id := P(&d).DocMeta().ID
		if i, ok := at[id]; ok {
			out[i] = d
			continue
		}
		at[id] = len(out)
		out = append(out, d)
	}
	return out
}

// Write is one document of a batch written together: Doc is written
// (created or replaced) under ID, or ID is deleted when Doc is nil. With
// IfMatch set, the stored version must equal it (0: must not exist).
type Write struct {
	Collection string
	ID         string
	Doc        Document
	IfMatch    *int64
}

// Errors of a document store, shared by its implementations and callers.
var (
	// ErrNotFound: no document with that _id.
	ErrNotFound = errors.New("document not found")
	// ErrConflict: the stored version differs from the one expected.
	ErrConflict = errors.New("version conflict")
)

// NewDocument returns a pointer to an empty document of the collection,
// or nil for an unknown collection.
func NewDocument(collection string) Document {
	if k, ok := kinds[collection]; ok {
		return k.create()
	}
	return nil
}
