package api

import (
	"github.com/gatehouse/gatehouse/api/authzen"
)

// searches wires AuthZEN's search routes to the engine.
func (h *handlers) searches() authzen.Searches {
	return authzen.Searches{
		Resources:    h.engine.SearchResources,
		Actions:      h.engine.SearchActions,
		DefaultLimit: DefaultPageLimit,
		MaxLimit:     MaxPageLimit,
	}
}
