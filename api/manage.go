package api

import (
	"context"
	"fmt"
	"net/http"
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

func (h *handlers) put(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ifMatch, err := ifMatchVersion(c)
		if err != nil {
			h.fail(c, err)
			return
		}
		doc := model.NewDocument(collection)
		if err := bindJSON(c, doc); err != nil {
			h.fail(c, err)
			return
		}
		if err := h.checkPut(c, collection, doc); err != nil {
			h.fail(c, err)
			return
		}
		stored, err := h.store.Put(c.Request.Context(), collection, doc, ifMatch)
		if err != nil {
			h.fail(c, err)
			return
		}
		if err := h.applyWrite(c.Request.Context(), collection, stored.DocMeta().ID, stored); err != nil {
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

func (h *handlers) remove(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ifMatch, err := ifMatchVersion(c)
		if err != nil {
			h.fail(c, err)
			return
		}
		id := c.Param("id")
		if user := c.GetHeader(UserHeader); user != "" {
			if err := h.checkDeleteFor(c.Request.Context(), user, collection, id); err != nil {
				h.fail(c, err)
				return
			}
		}
		if _, err := h.store.Delete(c.Request.Context(), collection, id, ifMatch); err != nil {
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

// checkPut validates the document, its references and, on behalf of a
// user, their right to make the change.
func (h *handlers) checkPut(c *gin.Context, collection string, doc model.Document) error {
	meta := doc.DocMeta()
	id := c.Param("id")
	var ps model.Problems
	if meta.ID != "" && meta.ID != id {
		ps.Add("_id", "is %q but the path names %q", meta.ID, id)
	}
	meta.ID = id
	problems := append(ps.List(), doc.Validate()...)
	problems = append(problems, h.referenceProblems(doc)...)
	if p, ok := doc.(*model.Policy); ok && len(problems) == 0 {
		problems = append(problems, h.policyProblems(p)...)
	}
	if len(problems) > 0 {
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the document is invalid", problems...)
	}
	if user := c.GetHeader(UserHeader); user != "" {
		return h.checkPutFor(c.Request.Context(), user, collection, doc)
	}
	return nil
}

// referenceProblems lists roles, groups and extensions named but unknown.
func (h *handlers) referenceProblems(doc model.Document) []model.Problem {
	var ps model.Problems
	need := func(field, collection, id string) {
		if !h.engine.Has(collection, id) {
			ps.Add(field, "unknown %s %q", strings.TrimSuffix(collection, "s"), id)
		}
	}
	switch d := doc.(type) {
	case *model.Record:
		for i, st := range d.Statements {
			for j, r := range st.Roles {
				need(fmt.Sprintf("statements[%d].roles[%d]", i, j), model.Roles, r)
			}
		}
	case *model.Membership:
		for j, r := range d.Roles {
			need(fmt.Sprintf("roles[%d]", j), model.Roles, r)
		}
	case *model.Installation:
		need("extensionId", model.Extensions, d.ExtensionID)
	}
	return ps.List()
}

func (h *handlers) policyProblems(p *model.Policy) []model.Problem {
	if err := h.engine.CheckPolicy(p.ID, p.Source); err != nil {
		return []model.Problem{{Field: "source", Message: err.Error()}}
	}
	return nil
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
