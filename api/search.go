package api

import (
	"context"

	"github.com/gatehouse/gatehouse/api/authzen"
	"github.com/gatehouse/gatehouse/engine"
)

// searches wires AuthZEN's search routes to the engine.
func (h *handlers) searches() authzen.Searches {
	return authzen.Searches{
		Subjects:     h.searchSubjects,
		Resources:    h.engine.SearchResources,
		Actions:      h.engine.SearchActions,
		DefaultLimit: DefaultPageLimit,
		MaxLimit:     MaxPageLimit,
	}
}

// searchSubjects lists the users holding action on resource, a page of
// who-has-access.
func (h *handlers) searchSubjects(ctx context.Context, resource, action, after string, limit int) ([]string, string, error) {
	page, err := h.engine.WhoHasAccess(ctx, engine.WhoQuery{Resource: resource, Permission: action, After: after, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	users := make([]string, len(page.Users))
	for i, u := range page.Users {
		users[i] = u.User
	}
	return users, page.Next, nil
}
