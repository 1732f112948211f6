package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Store is where management reads and writes go. Implementations return
// errors wrapping model.ErrNotFound when a document is absent,
// model.ErrConflict when ifMatch (or a concurrent writer) disagrees with
// the stored version, and engine.ErrStoreUnavailable when the store
// cannot be reached in time.
type Store interface {
	Get(ctx context.Context, collection, id string) (model.Document, error)
	List(ctx context.Context, collection, after string, limit int) ([]model.Document, error)
	Put(ctx context.Context, collection string, doc model.Document, ifMatch *int64) (model.Document, error)
	Delete(ctx context.Context, collection, id string, ifMatch *int64) (model.Document, error)
}

// managed lists the collections served by the management API.
var managed = []string{model.Roles, model.Records, model.Groups, model.Memberships, model.Extensions, model.Installations, model.Tenants, model.Policies}

// UserHeader names the user a write is made on behalf of.
const UserHeader = "X-Gatehouse-User"

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

// put creates or replaces the document the path names: 201 when created.
func (h *handlers) put(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		stored, err := h.write(c, collection, c.Param("id"))
		if err != nil {
			h.fail(c, err)
			return
		}
		status := http.StatusOK
		if stored.DocMeta().Version == 1 {
			status = http.StatusCreated
		}
		c.Header("ETag", etag(stored))
		c.JSON(status, stored)
	}
}

// create stores a new document under the id it names (_id, or recordId
// for records) or a generated one: 201 with a Location, 409 when the id
// is taken.
func (h *handlers) create(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		stored, err := h.write(c, collection, "")
		if err != nil {
			h.fail(c, err)
			return
		}
		c.Header("Location", "/v1/"+collection+"/"+url.PathEscape(stored.DocMeta().ID))
		c.Header("ETag", etag(stored))
		c.JSON(http.StatusCreated, stored)
	}
}

func (h *handlers) remove(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		w, err := h.writeParams(c)
		if err != nil {
			h.fail(c, err)
			return
		}
		id := c.Param("id")
		if err := h.checkDelete(c.Request.Context(), w, collection, id); err != nil {
			h.fail(c, err)
			return
		}
		if _, err := h.store.Delete(c.Request.Context(), collection, id, w.ifMatch); err != nil {
			h.fail(c, err)
			return
		}
		if err := h.applyWrite(c.Request.Context(), collection, id, nil); err != nil {
			h.fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
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

// applyWrite makes a stored write visible to decisions before responding.
func (h *handlers) applyWrite(ctx context.Context, collection, id string, doc model.Document) error {
	_, err := h.engine.Apply(ctx, []engine.Change{{Collection: collection, ID: id, Doc: doc}})
	return err
}

func etag(doc model.Document) string {
	return strconv.Quote(strconv.FormatInt(doc.DocMeta().Version, 10))
}

// ifMatchVersion reads If-Match as a version number ("3", 3 or W/"3").
func ifMatchVersion(c *gin.Context) (*int64, error) {
	raw := c.GetHeader("If-Match")
	if raw == "" {
		return nil, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(raw, "W/"), `"`), 10, 64)
	if err != nil || v < 0 {
		return nil, malformed("If-Match must be a document version, like \"3\"")
	}
	return &v, nil
}
