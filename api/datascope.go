package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// requireData admits Data API callers. The read scope reads any path. The
// decide scope, meant for services that only ask questions, may evaluate
// only the entrypoints the engine names (engine.Engine.IsEntrypoint: the
// decision and lookup rules and rules custom policies declare as
// entrypoints), never the raw data, data as a whole or helper rules.
func (h *handlers) requireData(c *gin.Context) {
	key, ok := h.authenticate(c)
	if !ok {
		return
	}
	if key.has(ScopeRead) {
		c.Next()
		return
	}
	if !key.has(ScopeDecide) {
		h.fail(c, newError(http.StatusForbidden, CodeForbidden, fmt.Sprintf("API key %q lacks the %s or %s scope", key.name, ScopeDecide, ScopeRead)))
		return
	}
	entry, err := h.engine.IsEntrypoint(c.Param("path"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if !entry {
		h.fail(c, newError(http.StatusForbidden, CodeForbidden,
			fmt.Sprintf("API key %q may query only decision and lookup entrypoints; reading data needs the %s scope", key.name, ScopeRead)))
		return
	}
	c.Next()
}
