package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes"
)

// UserHeader names the user a write is made on behalf of.
const UserHeader = "X-Gatehouse-User"

// PendingHeader marks a write that is stored but not yet visible to this
// server's decisions (202 Accepted): it becomes visible at the next sync.
const PendingHeader = "X-Gatehouse-Pending"

// pendingSync is PendingHeader's value.
const pendingSync = "sync"

// put creates or replaces the document the path names: 201 when created.
func (h *handlers) put(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		o, doc, err := bindWrite(c, collection)
		if err != nil {
			h.fail(c, err)
			return
		}
		res, err := h.writes.Replace(c.Request.Context(), collection, c.Param("id"), doc, o)
		if err != nil {
			h.fail(c, err)
			return
		}
		renderPut(c, res)
	}
}

// renderPut renders a create-or-replace: 201 when it created the document.
func renderPut(c *gin.Context, res writes.Result) {
	status := http.StatusOK
	if res.Doc.DocMeta().Version == 1 {
		status = http.StatusCreated
	}
	renderWrite(c, status, res)
}

// create stores a new document under the id it names (_id, or recordId
// for records) or a generated one: 201 with a Location, 409 when the id
// is taken.
func (h *handlers) create(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		o, doc, err := bindWrite(c, collection)
		if err != nil {
			h.fail(c, err)
			return
		}
		res, err := h.writes.Create(c.Request.Context(), collection, doc, o)
		if err != nil {
			h.fail(c, err)
			return
		}
		c.Header("Location", "/v1/"+collection+"/"+url.PathEscape(res.Doc.DocMeta().ID))
		renderWrite(c, http.StatusCreated, res)
	}
}

// remove deletes the document the path names: 204.
func (h *handlers) remove(collection string) gin.HandlerFunc {
	return func(c *gin.Context) {
		o, err := bindWriteOptions(c)
		if err != nil {
			h.fail(c, err)
			return
		}
		res, err := h.writes.Delete(c.Request.Context(), collection, c.Param("id"), o)
		if err != nil {
			h.fail(c, err)
			return
		}
		if res.Pending {
			c.Header(PendingHeader, pendingSync)
			c.Status(http.StatusAccepted)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// renderWrite answers a stored write with the document and its ETag; a
// write stored but not applied is 202 with PendingHeader instead of status.
func renderWrite(c *gin.Context, status int, res writes.Result) {
	if res.Pending {
		status = http.StatusAccepted
		c.Header(PendingHeader, pendingSync)
	}
	c.Header("ETag", etag(res.Doc))
	c.JSON(status, res.Doc)
}

// bindWrite reads a put or create: its options, then its body.
func bindWrite(c *gin.Context, collection string) (writes.Options, model.Document, error) {
	o, err := bindWriteOptions(c)
	if err != nil {
		return o, nil, err
	}
	doc := model.NewDocument(collection)
	return o, doc, bindJSON(c, doc)
}

// bindWriteOptions reads If-Match, X-Gatehouse-User and ?force.
func bindWriteOptions(c *gin.Context) (writes.Options, error) {
	var o writes.Options
	var err error
	if o.IfMatch, err = ifMatchVersion(c); err != nil {
		return o, err
	}
	if o.Actor, err = actorOf(c); err != nil {
		return o, err
	}
	if o.Force, err = forceParam(c); err != nil {
		return o, err
	}
	if o.Force && o.Actor != "" {
		return o, newError(http.StatusForbidden, CodeForbidden,
			"force is never used on behalf of a user: without "+UserHeader+", the API key acts with its own rights")
	}
	return o, nil
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

// actorOf reads X-Gatehouse-User: absent (""), the API key acts with its
// own rights; present, it must be exactly one header holding a valid user
// id (400 otherwise), never read as absent when empty or blank.
func actorOf(c *gin.Context) (string, error) {
	values, present := c.Request.Header[http.CanonicalHeaderKey(UserHeader)]
	switch {
	case !present:
		return "", nil
	case len(values) != 1:
		return "", malformed(fmt.Sprintf("send %s once, not %d times", UserHeader, len(values)))
	}
	if err := model.CheckID(values[0]); err != nil {
		return "", malformed(fmt.Sprintf("%s must name a user: %v", UserHeader, err))
	}
	return values[0], nil
}

// forceParam reads ?force=true|false; absent is false.
func forceParam(c *gin.Context) (bool, error) {
	values, ok := c.GetQueryArray("force")
	if !ok {
		return false, nil
	}
	if len(values) != 1 || (values[0] != "true" && values[0] != "false") {
		return false, malformed("force must be given once, as true or false")
	}
	return values[0] == "true", nil
}

func etag(doc model.Document) string {
	return strconv.Quote(strconv.FormatInt(doc.DocMeta().Version, 10))
}
