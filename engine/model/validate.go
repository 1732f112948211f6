package model

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a document.
type Problem struct {
	Collection string `json:"collection,omitempty"`
	ID         string `json:"id,omitempty"`
	Field      string `json:"field"`
	Message    string `json:"message"`
}

func (p Problem) String() string {
	where := p.Field
	if p.ID != "" {
		where = p.Collection + "/" + p.ID + ": " + p.Field
	}
	return where + ": " + p.Message
}

// ValidationError lists every problem found before a write; nothing was written.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%d problem(s); nothing was written", len(e.Problems))
}

// ErrInvalid is matched by errors.Is for a *ValidationError.
var ErrInvalid = errors.New("invalid documents")

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Problems collects problems while validating one document.
type Problems struct {
	list []Problem
}

// Add records a problem on field.
func (ps *Problems) Add(field, format string, args ...any) {
	ps.list = append(ps.list, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// List returns the problems found.
func (ps *Problems) List() []Problem { return ps.list }

func (ps *Problems) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		ps.Add(field, "is required")
	}
}

func (ps *Problems) uri(field, value string) {
	if _, err := NormalizeURI(value); err != nil {
		ps.Add(field, "%v", err)
	}
}

func (ps *Problems) action(field, value string) {
	if _, err := ActionSegments(value); err != nil {
		ps.Add(field, "%v", err)
	}
}

// actions checks each action of a list, naming it field[i].
func (ps *Problems) actions(field string, values []string) {
	for i, a := range values {
		ps.action(fmt.Sprintf("%s[%d]", field, i), a)
	}
}

func (ps *Problems) oneOf(field, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		ps.Add(field, "is %q, want one of %s", value, strings.Join(allowed, ", "))
	}
}

func (ps *Problems) id(id string) { ps.ref("_id", id) }

// ref checks an id or a reference to one (user, group, role, extension).
func (ps *Problems) ref(field, value string) {
	switch err := CheckID(value); {
	case errors.Is(err, ErrEmpty):
		ps.Add(field, "is required")
	case err != nil:
		ps.Add(field, "%v", err)
	}
}

// Validate checks a role on its own.
func (r *Role) Validate() []Problem {
	var ps Problems
	ps.id(r.ID)
	for i, p := range r.Permissions {
		ps.action(fmt.Sprintf("permissions[%d].action", i), p.Action)
	}
	return ps.List()
}

// Validate checks a record on its own.
func (r *Record) Validate() []Problem {
	var ps Problems
	ps.id(r.ID)
	r.recordIDProblems(&ps)
	ps.oneOf("status", r.Status, StatusActive, StatusDeleted)
	onRecord := len(r.Users)+len(r.Groups) > 0
	for i, st := range r.Statements {
		f := fmt.Sprintf("statements[%d]", i)
		if len(st.Roles) == 0 {
			ps.Add(f+".roles", "is empty")
		}
		if len(st.Resources) == 0 {
			ps.Add(f+".resources", "is empty")
		}
		for j, res := range st.Resources {
			ps.uri(fmt.Sprintf("%s.resources[%d].resourceUri", f, j), res.ResourceURI)
		}
		if onRecord && len(st.Users)+len(st.Groups) > 0 {
			ps.Add(f, "names users or groups, which the record already does: use one place, not both")
		}
		validateRefs(&ps, f, st.Users, st.Groups)
	}
	validateRefs(&ps, "", r.Users, r.Groups)
	return ps.List()
}

func validateRefs(ps *Problems, prefix string, users []UserRef, groups []GroupRef) {
	if prefix != "" {
		prefix += "."
	}
	for i, u := range users {
		ps.ref(fmt.Sprintf("%susers[%d].userId", prefix, i), u.UserID)
	}
	for i, g := range groups {
		ps.ref(fmt.Sprintf("%sgroups[%d].groupId", prefix, i), g.GroupID)
	}
}

// Validate checks a group on its own.
func (g *Group) Validate() []Problem {
	var ps Problems
	ps.id(g.ID)
	validateRefs(&ps, "", g.Users, nil)
	return ps.List()
}

// Validate checks a membership on its own.
func (m *Membership) Validate() []Problem {
	var ps Problems
	ps.id(m.ID)
	ps.ref("userId", m.UserID)
	ps.uri("context", m.Context)
	if len(m.Roles) == 0 {
		ps.Add("roles", "is empty")
	}
	return ps.List()
}

// Validate checks an extension on its own.
func (e *Extension) Validate() []Problem {
	var ps Problems
	ps.id(e.ID)
	ps.actions("permissions", e.Permissions)
	return ps.List()
}

// Validate checks an installation on its own.
func (in *Installation) Validate() []Problem {
	var ps Problems
	ps.id(in.ID)
	ps.ref("extensionId", in.ExtensionID)
	ps.uri("context", in.Context)
	ps.oneOf("status", in.Status, StatusActive, StatusDisabled)
	ctx, ctxErr := URISegments(in.Context)
	for i, r := range in.Resources {
		field := fmt.Sprintf("resources[%d]", i)
		segs, err := URISegments(r)
		switch {
		case err != nil:
			ps.Add(field, "%v", err)
		case ctxErr == nil && !Covers(ctx, segs):
			ps.Add(field, "%q is not within the installation's context %q", r, in.Context)
		}
	}
	ps.actions("consentedPermissions", in.ConsentedPermissions)
	return ps.List()
}

// Validate checks a tenant on its own.
func (t *Tenant) Validate() []Problem {
	var ps Problems
	ps.id(t.ID)
	ps.required("name", t.Name)
	return ps.List()
}

// Validate checks a policy's fields; compiling it is the engine's job.
func (p *Policy) Validate() []Problem {
	var ps Problems
	ps.id(p.ID)
	ps.required("source", p.Source)
	return ps.List()
}

// OptionalID adds a problem to ps when id is given ("" is absent) and is
// not a valid id (CheckID).
func (ps *Problems) OptionalID(field, id string) {
	if id == "" {
		return
	}
	if err := CheckID(id); err != nil {
		ps.Add(field, "%v", err)
	}
}
