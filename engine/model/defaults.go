package model

import (
	"encoding/json"
	"fmt"
)

// ApplyDefaults fills what a written document may leave out (SPEC section
// 2): a record's id from recordId when _id is absent, a record's status
// (ACTIVE) and an installation's status (ACTIVE). Only absence defaults: a
// null or a value of the wrong type never reaches here, the decoder refuses
// it. Call it before Validate.
func ApplyDefaults(doc Document) {
	switch d := doc.(type) {
	case *Record:
		if d.ID == "" {
			d.ID = d.RecordID
		}
		if d.Status == "" {
			d.Status = StatusActive
		}
	case *Installation:
		if d.Status == "" {
			d.Status = StatusActive
		}
	}
}

// MarshalJSON writes a record with recordId equal to _id, so Authress
// clients read back the id they wrote.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record // without this method
	p := plain(r)
	p.RecordID = r.ID
	return json.Marshal(p)
}

// recordIDProblems reports a recordId that names another document than _id.
func (r *Record) recordIDProblems(ps *Problems) {
	if r.RecordID != "" && r.RecordID != r.ID {
		ps.Add("recordId", "is %q but _id is %q: send one, or both equal", r.RecordID, r.ID)
	}
}

// ReferencedBy lists the collections whose documents can name a document
// of collection: records and memberships name roles, records name groups,
// installations name extensions.
func ReferencedBy(collection string) []string {
	switch collection {
	case Roles:
		return []string{Memberships, Records}
	case Groups:
		return []string{Records}
	case Extensions:
		return []string{Installations}
	}
	return nil
}

// References lists the fields of doc, a document of collection from, that
// name the document collection/id, as problems located at doc.
func References(from string, doc Document, collection, id string) []Problem {
	var ps Problems
	name := func(field, ref string) {
		if ref == id {
			ps.Add(field, "names %s %q", singular(collection), id)
		}
	}
	switch d := doc.(type) {
	case *Record:
		switch collection {
		case Roles:
			for i, st := range d.Statements {
				for j, r := range st.Roles {
					name(fmt.Sprintf("statements[%d].roles[%d]", i, j), r)
				}
			}
		case Groups:
			for i, g := range d.Groups {
				name(fmt.Sprintf("groups[%d].groupId", i), g.GroupID)
			}
			for i, st := range d.Statements {
				for j, g := range st.Groups {
					name(fmt.Sprintf("statements[%d].groups[%d].groupId", i, j), g.GroupID)
				}
			}
		}
	case *Membership:
		if collection == Roles {
			for j, r := range d.Roles {
				name(fmt.Sprintf("roles[%d]", j), r)
			}
		}
	case *Installation:
		if collection == Extensions {
			name("extensionId", d.ExtensionID)
		}
	}
	out := ps.List()
	for i := range out {
		out[i].Collection, out[i].ID = from, doc.DocMeta().ID
	}
	return out
}

func singular(collection string) string {
	if n := len(collection); n > 0 && collection[n-1] == 's' {
		return collection[:n-1]
	}
	return collection
}
