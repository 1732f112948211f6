package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// checkPutFor checks that user may make this write themselves: give what
// the new document gives and, when it replaces one, take back what the
// old one (as stored) gave.
func (h *handlers) checkPutFor(ctx context.Context, user, collection string, doc model.Document) error {
	old, err := h.store.Get(ctx, collection, doc.DocMeta().ID)
	switch {
	case err == nil:
		if err := h.checkGives(ctx, user, collection, old); err != nil {
			return err
		}
	case !errors.Is(err, model.ErrNotFound):
		return err
	}
	if in, ok := doc.(*model.Installation); ok {
		if in.InstalledBy != "" && in.InstalledBy != user {
			return newError(http.StatusForbidden, CodeForbidden, fmt.Sprintf("%s cannot record an installation as made by %s", user, in.InstalledBy))
		}
		in.InstalledBy = user
	}
	return h.checkGives(ctx, user, collection, doc)
}

// checkGives checks that user may hand out what doc gives.
func (h *handlers) checkGives(ctx context.Context, user, collection string, doc model.Document) error {
	switch d := doc.(type) {
	case *model.Record:
		return h.requireGive(ctx, user, engine.RecordGives(d, ""))
	case *model.Membership:
		return h.requireGive(ctx, user, engine.MembershipGives(d))
	case *model.Group:
		return h.requireGive(ctx, user, h.engine.GroupGrants(d.ID))
	case *model.Installation:
		missing, err := h.engine.MissingToInstall(ctx, user, d.Context, d.ConsentedPermissions)
		if err != nil {
			return err
		}
		return forbidden(user, missing)
	}
	return newError(http.StatusForbidden, CodeForbidden,
		fmt.Sprintf("%s cannot be changed on behalf of a user; use an API key with the write scope", collection))
}

// checkDeleteFor checks that user may delete what the document gives.
func (h *handlers) checkDeleteFor(ctx context.Context, user, collection, id string) error {
	doc, err := h.store.Get(ctx, collection, id)
	if err != nil {
		return err
	}
	if in, ok := doc.(*model.Installation); ok {
		missing, err := h.engine.MissingToInstall(ctx, user, in.Context, nil)
		if err != nil {
			return err
		}
		return forbidden(user, missing)
	}
	return h.checkGives(ctx, user, collection, doc)
}

func (h *handlers) requireGive(ctx context.Context, user string, given []engine.Given) error {
	missing, err := h.engine.MissingToGive(ctx, user, given)
	if err != nil {
		return err
	}
	return forbidden(user, missing)
}

// forbidden turns what the user lacks into a 403 listing each item.
func forbidden(user string, missing []engine.Missing) error {
	if len(missing) == 0 {
		return nil
	}
	problems := make([]model.Problem, len(missing))
	for i, m := range missing {
		field := m.Action
		if m.Role != "" {
			field = "role " + m.Role + ": " + m.Action
		}
		problems[i] = model.Problem{Field: field, Message: fmt.Sprintf("%s needs %s on %q at %s", user, m.Needs, m.Action, m.Resource)}
	}
	return newError(http.StatusForbidden, CodeForbidden, user+" may not make this change", problems...)
}
