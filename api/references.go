package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Reference scans read the store a page at a time and list at most
// maxReferences references: enough to act on, bounded for a large store.
const (
	referencePage = 500
	maxReferences = 100
)

// checkDelete checks a delete on behalf of a user, making it conditional
// on the version checked, and refuses (409) to delete a document others
// still name unless forced.
func (h *handlers) checkDelete(ctx context.Context, w *writeParams, collection, id string) error {
	if w.onBehalf {
		checked, err := h.checkDeleteFor(ctx, w.actor, collection, id)
		if err != nil {
			return err
		}
		if w.ifMatch, err = conditional(w.ifMatch, checked); err != nil {
			return err
		}
	}
	if w.force {
		return nil
	}
	refs, err := h.references(ctx, collection, id)
	if err != nil || len(refs) == 0 {
		return err
	}
	if _, err := h.store.Get(ctx, collection, id); err != nil {
		return err // dangling references to nothing: 404 as for any absent document
	}
	return newError(http.StatusConflict, CodeConflict,
		fmt.Sprintf("%s/%s is still named by other documents: change them first, or delete with ?force=true", collection, id), refs...)
}

// roleFlagConflicts refuses (409) a role with canGrantToUsers false while
// records or memberships give it: it would go on giving what it may not.
func (h *handlers) roleFlagConflicts(ctx context.Context, doc model.Document) error {
	r, ok := doc.(*model.Role)
	if !ok || r.GrantsToUsers() {
		return nil
	}
	refs, err := h.references(ctx, model.Roles, r.ID)
	if err != nil || len(refs) == 0 {
		return err
	}
	return newError(http.StatusConflict, CodeConflict,
		fmt.Sprintf("role %s still goes to users or groups through these documents: change them first, or write with ?force=true", r.ID), refs...)
}

// references lists, from a scan of the store, every field of every
// document that names collection/id, up to maxReferences.
func (h *handlers) references(ctx context.Context, collection, id string) ([]model.Problem, error) {
	var out []model.Problem
	for _, from := range model.ReferencedBy(collection) {
		for after := ""; ; {
			docs, err := h.store.List(ctx, from, after, referencePage)
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
