package writes

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// conditional makes a write on behalf of a user conditional on the version
// its check read (0: absent): a change made since is a conflict, never
// overwritten. A caller's If-Match must name that same version.
func conditional(ifMatch *int64, checked int64) (*int64, error) {
	if ifMatch != nil && *ifMatch != checked {
		return nil, fmt.Errorf("If-Match %d, but version %d was checked: %w", *ifMatch, checked, model.ErrConflict)
	}
	return &checked, nil
}

// checkPutFor checks that user may make this write themselves: give what
// the new document gives and, when it replaces one, take back what the
// old one (as stored) gave. It returns the version it read (0: none); a
// create of a document that exists is a conflict.
func (s *Service) checkPutFor(ctx context.Context, user, collection string, doc model.Document, create bool) (int64, error) {
	var checked int64
	old, err := s.store.Get(ctx, collection, doc.DocMeta().ID)
	switch {
	case err == nil && create:
		return 0, alreadyExists(collection, doc.DocMeta().ID)
	case err == nil:
		if err := s.checkGives(ctx, user, collection, old); err != nil {
			return 0, err
		}
		checked = old.DocMeta().Version
	case !errors.Is(err, model.ErrNotFound):
		return 0, err
	}
	if in, ok := doc.(*model.Installation); ok {
		if in.InstalledBy != "" && in.InstalledBy != user {
			return 0, forbiddenError(fmt.Sprintf("%s cannot record an installation as made by %s", user, in.InstalledBy))
		}
		in.InstalledBy = user
	}
	return checked, s.checkGives(ctx, user, collection, doc)
}

// checkGives checks that user may hand out what doc gives.
func (s *Service) checkGives(ctx context.Context, user, collection string, doc model.Document) error {
	switch d := doc.(type) {
	case *model.Record:
		return s.requireGive(ctx, user, engine.RecordGives(d, ""))
	case *model.Membership:
		return s.requireGive(ctx, user, engine.MembershipGives(d))
	case *model.Group:
		return s.requireGive(ctx, user, s.engine.GroupGrants(d.ID))
	case *model.Installation:
		missing, err := s.engine.MissingToInstall(ctx, user, d.Context, d.ConsentedPermissions)
		if err != nil {
			return err
		}
		return lacks(user, missing)
	}
	return forbiddenError(fmt.Sprintf("%s cannot be changed on behalf of a user; use an API key with the write scope", collection))
}

// checkDeleteFor checks that user may delete what the document gives and
// returns the version it read.
func (s *Service) checkDeleteFor(ctx context.Context, user, collection, id string) (int64, error) {
	doc, err := s.store.Get(ctx, collection, id)
	if err != nil {
		return 0, err
	}
	if in, ok := doc.(*model.Installation); ok {
		missing, err := s.engine.MissingToInstall(ctx, user, in.Context, nil)
		if err != nil {
			return 0, err
		}
		return doc.DocMeta().Version, lacks(user, missing)
	}
	return doc.DocMeta().Version, s.checkGives(ctx, user, collection, doc)
}

func (s *Service) requireGive(ctx context.Context, user string, given []engine.Given) error {
	missing, err := s.engine.MissingToGive(ctx, user, given)
	if err != nil {
		return err
	}
	return lacks(user, missing)
}

// lacks turns what the user lacks into an ErrForbidden listing each item;
// nil when nothing is missing.
func lacks(user string, missing []engine.Missing) error {
	if len(missing) == 0 {
		return nil
	}
	problems := make([]model.Problem, len(missing))
	for i, m := range missing {
		field := m.Action
		if m.Role != "" {
			field = "role " + m.Role + ": " + m.Action
		}
		msg := fmt.Sprintf("%s needs %s on %q at %s", user, m.Needs, m.Action, m.Resource)
		switch m.Needs {
		case engine.NeedsKnownRole:
			field, msg = "role "+m.Role, fmt.Sprintf("role %q does not exist, so giving it can never be verified", m.Role)
		case engine.NeedsActiveRole:
			field, msg = "role "+m.Role, fmt.Sprintf("role %q is inactive, so giving it can never be verified", m.Role)
		}
		problems[i] = model.Problem{Field: field, Message: msg}
	}
	return forbiddenError(user+" may not make this change", problems...)
}
