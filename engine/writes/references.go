package writes

import (
	"context"
	"fmt"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Reference scans read the store a page at a time and list at most
// maxReferences references: enough to act on, bounded for a large store.
const (
	referencePage = 500
	maxReferences = 100
)

// checkDelete checks a delete on behalf of a user, making it conditional
// on the version checked, and refuses (a conflict) to delete a document
// others still name unless forced.
func (s *Service) checkDelete(ctx context.Context, o *Options, collection, id string) error {
	if o.Actor != "" {
		checked, err := s.checkDeleteFor(ctx, o.Actor, collection, id)
		if err != nil {
			return err
		}
		if o.IfMatch, err = conditional(o.IfMatch, checked); err != nil {
			return err
		}
	}
	if o.Force {
		return nil
	}
	refs, err := s.references(ctx, collection, id)
	if err != nil || len(refs) == 0 {
		return err
	}
	if _, err := s.store.Get(ctx, collection, id); err != nil {
		return err // dangling references to nothing: absent as any document
	}
	return conflict(fmt.Sprintf("%s/%s is still named by other documents: change them first, or delete with ?force=true", collection, id), refs...)
}

// roleFlagConflicts refuses (a conflict) a role with canGrantToUsers false
// while records or memberships give it: it would go on giving what it may
// not.
func (s *Service) roleFlagConflicts(ctx context.Context, doc model.Document) error {
	r, ok := doc.(*model.Role)
	if !ok || r.GrantsToUsers() {
		return nil
	}
	refs, err := s.references(ctx, model.Roles, r.ID)
	if err != nil || len(refs) == 0 {
		return err
	}
	return conflict(fmt.Sprintf("role %s still goes to users or groups through these documents: change them first, or write with ?force=true", r.ID), refs...)
}

// references lists, from a scan of the store, every field of every
// document that names collection/id, up to maxReferences.
func (s *Service) references(ctx context.Context, collection, id string) ([]model.Problem, error) {
	var out []model.Problem
	for _, from := range model.ReferencedBy(collection) {
		for after := ""; ; {
			docs, err := s.store.List(ctx, from, after, referencePage)
			if err != nil {
				return nil, err
			}
			for _, d := range docs {
				out = append(out, model.References(from, d, collection, id)...)
				if len(out) >= maxReferences {
					return out[:maxReferences], nil
				}
			}
			if len(docs) < referencePage {
				break
			}
			after = docs[len(docs)-1].DocMeta().ID
		}
	}
	return out, nil
}
