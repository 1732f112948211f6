package api

import (
	"encoding/base64"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/api/wire"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The lookups' bodies are package wire's, shared with the client.
type (
	ResourcesResponse   = wire.ResourcesResponse
	ResourceItem        = wire.ResourceItem
	PermissionsResponse = wire.PermissionsResponse
	MembershipsResponse = wire.MembershipsResponse
	AccessResponse      = wire.AccessResponse
	AccessItem          = wire.AccessItem
)

func (h *handlers) users(g *gin.RouterGroup) {
	g.GET("/resources/:uri/permissions/:action", h.checkPermission)
	g.GET("/resources/:uri/permissions", h.listPermissions)
	g.GET("/resources", h.listResources)
	g.GET("/memberships", h.listMemberships)
	g.GET("/access", h.userAccess)
}

func (h *handlers) checkPermission(c *gin.Context) {
	d, err := h.decide(c.Request.Context(), engine.Input{
		User: c.Param("userId"), Resource: c.Param("uri"), Permission: c.Param("action"),
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	if !d.Allowed {
		h.fail(c, newError(http.StatusNotFound, CodeNoPermission, "the user does not have this permission on this resource"))
		return
	}
	c.JSON(http.StatusOK, d)
}

func (h *handlers) listPermissions(c *gin.Context) {
	perms, err := h.engine.Permissions(c.Request.Context(), c.Param("userId"), c.Param("uri"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, PermissionsResponse{Permissions: perms})
}

func (h *handlers) listMemberships(c *gin.Context) {
	ms, err := h.engine.Memberships(c.Request.Context(), c.Param("userId"), c.Query("context"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, MembershipsResponse{Memberships: ms})
}

func (h *handlers) listResources(c *gin.Context) {
	user, permission, prefix := c.Param("userId"), c.Query("permission"), c.Query("prefix")
	limit, after, problems := pageParams(c)
	if problems = append(problems, engine.ResourcesProblems(user, permission, prefix)...); len(problems) > 0 {
		h.fail(c, newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", problems...))
		return
	}
	uris, err := h.engine.Resources(c.Request.Context(), user, permission, prefix)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(uris, after, limit))
}

// userAccess pages through the user's access map.
func (h *handlers) userAccess(c *gin.Context) {
	user := c.Param("userId")
	limit, after, problems := pageParams(c)
	if slices.ContainsFunc(problems, func(p model.Problem) bool { return p.Field == "cursor" }) {
		after = "" // named once
	}
	if problems = append(problems, engine.AccessProblems(user, after)...); len(problems) > 0 {
		h.fail(c, newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", problems...))
		return
	}
	p, err := h.engine.Access(c.Request.Context(), user, after, limit)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := AccessResponse{Grants: make([]AccessItem, len(p.Grants))}
	for i, g := range p.Grants {
		out.Grants[i] = AccessItem{Kind: g.Kind, ID: g.ID, Group: g.Group, Role: g.Role, Resource: g.Resource, Permissions: g.Permissions}
		if g.Expires != 0 {
			at := time.Unix(0, g.Expires).UTC()
			out.Grants[i].Expires = &at
		}
	}
	if p.Next != "" {
		out.Cursor = encodeCursor(p.Next)
	}
	c.JSON(http.StatusOK, out)
}

// page returns up to limit sorted uris after the cursor value, each once.
func page(uris []string, after string, limit int) ResourcesResponse {
	sort.Strings(uris)
	uris = slices.Compact(uris)
	start := sort.SearchStrings(uris, after)
	if start < len(uris) && uris[start] == after && after != "" {
		start++
	}
	out := ResourcesResponse{Resources: []ResourceItem{}}
	for _, u := range uris[start:min(start+limit, len(uris))] {
		out.Resources = append(out.Resources, ResourceItem{ResourceURI: u})
	}
	if start+limit < len(uris) {
		out.Cursor = encodeCursor(uris[start+limit-1])
	}
	return out
}

// pageParams reads limit and cursor, listing every problem. Absent, limit
// is DefaultPageLimit and cursor the start (as is an empty cursor); given
// empty or twice, limit is refused, and so is a repeated cursor.
func pageParams(c *gin.Context) (int, string, []model.Problem) {
	var ps model.Problems
	limit := DefaultPageLimit
	if s, ok := onceQuery(c, &ps, "limit"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageLimit {
			ps.Add("limit", "must be a whole number from 1 to %d", MaxPageLimit)
		}
		limit = n
	}
	s, _ := onceQuery(c, &ps, "cursor")
	after, err := decodeCursor(s)
	if err != nil {
		ps.Add("cursor", "is not a cursor this server issued")
	}
	return limit, after, ps.List()
}

// onceQuery returns a query parameter and whether it was given; given
// more than once it is a problem, and not given.
func onceQuery(c *gin.Context, ps *model.Problems, name string) (string, bool) {
	values, ok := c.GetQueryArray(name)
	if len(values) > 1 {
		ps.Add(name, "must be given at most once")
		return "", false
	}
	if !ok {
		return "", false
	}
	return values[0], true
}

func encodeCursor(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(last))
}

func decodeCursor(s string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	return string(raw), err
}
