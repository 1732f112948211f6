package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/api/wire"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// UsersResponse is one page of who-has-access (package wire).
type UsersResponse = wire.UsersResponse

func (h *handlers) resources(g *gin.RouterGroup) {
	g.GET("/:uri/users", h.listUsers)
}

// listUsers answers who holds ?permission on {uri} (with ?grant=true, who
// may grant it), a page of ?limit users after ?cursor.
func (h *handlers) listUsers(c *gin.Context) {
	q, problems := usersQuery(c)
	if len(problems) > 0 {
		h.fail(c, newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", problems...))
		return
	}
	p, err := h.engine.WhoHasAccess(c.Request.Context(), q)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := UsersResponse{Users: p.Users}
	if p.Next != "" {
		out.Cursor = encodeCursor(p.Next)
	}
	c.JSON(http.StatusOK, out)
}

// usersQuery reads the question and lists every problem with it.
func usersQuery(c *gin.Context) (engine.WhoQuery, []model.Problem) {
	limit, after, paging := pageParams(c)
	var ps model.Problems
	permission, _ := onceQuery(c, &ps, "permission")
	grant := false
	switch v, _ := onceQuery(c, &ps, "grant"); v {
	case "", "false":
	case "true":
		grant = true
	default:
		ps.Add("grant", "must be true or false")
	}
	q := engine.WhoQuery{Resource: c.Param("uri"), Permission: permission, Grant: grant, After: after, Limit: max(limit, 0)}
	return q, append(append(paging, ps.List()...), q.Problems()...)
}
