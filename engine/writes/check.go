package writes

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/engine/model"
)

// assignID gives doc the id the path names (a differing _id in the body
// is a problem) or, for a create naming none (neither _id nor, for a
// record, recordId), a generated UUIDv7.
func assignID(doc model.Document, pathID string) ([]model.Problem, error) {
	meta := doc.DocMeta()
	var ps model.Problems
	switch {
	case pathID != "":
		if meta.ID != "" && meta.ID != pathID {
			ps.Add("_id", "is %q but the path names %q", meta.ID, pathID)
		}
		meta.ID = pathID
	case meta.ID == "" && !namesRecordID(doc):
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("generate an id: %w", err)
		}
		meta.ID = id.String()
	}
	return ps.List(), nil
}

func namesRecordID(doc model.Document) bool {
	r, ok := doc.(*model.Record)
	return ok && r.RecordID != ""
}

// checkDoc validates the document, its references and the grant flags of
// the roles it gives, listing every problem in one ErrInvalid.
func (s *Service) checkDoc(doc model.Document, problems []model.Problem) error {
	problems = append(problems, doc.Validate()...)
	problems = append(problems, s.referenceProblems(doc)...)
	problems = append(problems, s.grantFlagProblems(doc)...)
	if p, ok := doc.(*model.Policy); ok && len(problems) == 0 {
		problems = append(problems, s.policyProblems(p)...)
	}
	if len(problems) > 0 {
		return invalid(problems)
	}
	return nil
}

// roleRefs calls f with the field and id of every role doc gives.
func roleRefs(doc model.Document, f func(field, role string)) {
	switch d := doc.(type) {
	case *model.Record:
		for i, st := range d.Statements {
			for j, r := range st.Roles {
				f(fmt.Sprintf("statements[%d].roles[%d]", i, j), r)
			}
		}
	case *model.Membership:
		for j, r := range d.Roles {
			f(fmt.Sprintf("roles[%d]", j), r)
		}
	}
}

// referenceProblems lists roles and extensions named but unknown.
func (s *Service) referenceProblems(doc model.Document) []model.Problem {
	var ps model.Problems
	need := func(field, collection, id string) {
		if !s.engine.Has(collection, id) {
			ps.Add(field, "unknown %s %q", strings.TrimSuffix(collection, "s"), id)
		}
	}
	roleRefs(doc, func(field, role string) { need(field, model.Roles, role) })
	if in, ok := doc.(*model.Installation); ok {
		need("extensionId", model.Extensions, in.ExtensionID)
	}
	return ps.List()
}

// grantFlagProblems lists roles given to users or groups (every record
// and membership gives to them) whose canGrantToUsers is false. Apps do
// not hold roles yet; the write that gives them roles checks
// canGrantToApps the same way.
func (s *Service) grantFlagProblems(doc model.Document) []model.Problem {
	var ps model.Problems
	roleRefs(doc, func(field, id string) {
		if r, ok := s.engine.Role(id); ok && !r.GrantsToUsers() {
			ps.Add(field, "role %q has canGrantToUsers false: it never goes to users or groups", id)
		}
	})
	return ps.List()
}

func (s *Service) policyProblems(p *model.Policy) []model.Problem {
	if err := s.engine.CheckPolicy(p.ID, p.Source); err != nil {
		return []model.Problem{{Field: "source", Message: err.Error()}}
	}
	return nil
}

// onboardingOwned refuses a write to a document only onboarding writes,
// except changing the users of a group onboarding created: everything
// else of the group must stay as stored.
func (s *Service) onboardingOwned(ctx context.Context, collection string, doc model.Document) error {
	id := doc.DocMeta().ID
	if !model.OnboardingOwned(collection, id) {
		return nil
	}
	g, ok := doc.(*model.Group)
	if !ok {
		return ownedError(collection, id)
	}
	old, err := s.store.Get(ctx, collection, id)
	if errors.Is(err, model.ErrNotFound) {
		return ownedError(collection, id)
	}
	if err != nil {
		return err
	}
	was := *old.(*model.Group)
	was.Meta, was.Users = g.Meta, g.Users
	if !reflect.DeepEqual(&was, g) {
		return forbiddenError(fmt.Sprintf("group %s was created by onboarding an app: only its users may change", id))
	}
	return nil
}

func ownedError(collection, id string) *Error {
	return forbiddenError(fmt.Sprintf("%s/%s is written only by onboarding an app (POST /v1/apps/{appId}/onboard)", collection, id))
}
