package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes"
)

// Store is where management reads and writes go: GET routes read it, and
// the writes service writes through it (its contract is writes.Store's).
type Store = writes.Store

// managed lists the collections served by the management API.
var managed = []string{model.Roles, model.Records, model.Groups, model.Memberships, model.Extensions, model.Installations, model.Tenants, model.Policies}

func (h *handlers) manage(r *gin.Engine) {
	for _, c := range managed {
		read, write := h.require(ScopeRead), h.require(ScopeWrite)
		if c == model.Policies {
			write = h.require(ScopeAdmin)
		}
		bounded := deadline(h.cfg.WriteTimeout)
		g := r.Group("/v1/" + c)
		g.GET("", read, bounded, h.list(c))
		g.POST("", write, h.requireReady, bounded, h.create(c))
		g.GET("/:id", read, bounded, h.get(c))
		g.PUT("/:id", write, h.requireReady, bounded, h.put(c))
		g.DELETE("/:id", write, h.requireReady, bounded, h.remove(c))
	}
}

func (h *handlers) list(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, after, problems := pageParams(c)
		if len(problems) > 0 {
			h.fail(c, newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", problems...))
			return
		}
		docs, err := h.store.List(c.Request.Context(), collection, after, limit+1)
		if err != nil {
			h.fail(c, err)
			return
		}
		body := gin.H{}
		if len(docs) > limit {
			docs = docs[:limit]
			body["cursor"] = encodeCursor(docs[limit-1].DocMeta().ID)
		}
		body[collection] = docs
		c.JSON(http.StatusOK, body)
	}
}

func (h *handlers) get(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		doc, err := h.store.Get(c.Request.Context(), collection, c.Param("id"))
		if err != nil {
			h.fail(c, err)
			return
		}
		c.Header("ETag", etag(doc))
		c.JSON(http.StatusOK, doc)
	}
}

// requireReady refuses writes before the first load: a write then could
// not be read back, so it is refused before anything is stored.
func (h *handlers) requireReady(c *gin.Context) {
	if !h.engine.Ready() {
		h.fail(c, engine.ErrNotReady)
		return
	}
	c.Next()
}
