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

// Docs returns pointers to every document of one collection, for iteration.
func (s *Snapshot) Docs(collection string) []Document {
	switch collection {
	case Roles:
		return pointers(s.Roles)
	case Records:
		return pointers(s.Records)
	case Groups:
		return pointers(s.Groups)
	case Memberships:
		return pointers(s.Memberships)
	case Extensions:
		return pointers(s.Extensions)
	case Installations:
		return pointers(s.Installations)
	case Tenants:
		return pointers(s.Tenants)
	case Policies:
		return pointers(s.Policies)
	}
	return nil
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
	return &Snapshot{
		Roles:         mergeDocs(s.Roles, other.Roles),
		Records:       mergeDocs(s.Records, other.Records),
		Groups:        mergeDocs(s.Groups, other.Groups),
		Memberships:   mergeDocs(s.Memberships, other.Memberships),
		Extensions:    mergeDocs(s.Extensions, other.Extensions),
		Installations: mergeDocs(s.Installations, other.Installations),
		Tenants:       mergeDocs(s.Tenants, other.Tenants),
		Policies:      mergeDocs(s.Policies, other.Policies),
	}
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
	switch collection {
	case Roles:
		return &Role{}
	case Records:
		return &Record{}
	case Groups:
		return &Group{}
	case Memberships:
		return &Membership{}
	case Extensions:
		return &Extension{}
	case Installations:
		return &Installation{}
	case Tenants:
		return &Tenant{}
	case Policies:
		return &Policy{}
	}
	return nil
}

// Add appends doc to its collection in the snapshot.
func (s *Snapshot) Add(doc Document) {
	switch d := doc.(type) {
	case *Role:
		s.Roles = append(s.Roles, *d)
	case *Record:
		s.Records = append(s.Records, *d)
	case *Group:
		s.Groups = append(s.Groups, *d)
	case *Membership:
		s.Memberships = append(s.Memberships, *d)
	case *Extension:
		s.Extensions = append(s.Extensions, *d)
	case *Installation:
		s.Installations = append(s.Installations, *d)
	case *Tenant:
		s.Tenants = append(s.Tenants, *d)
	case *Policy:
		s.Policies = append(s.Policies, *d)
	}
}
