package api

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// ResourcesResponse is one page of GET /v1/users/{userId}/resources.
type ResourcesResponse struct {
	Resources []ResourceItem `json:"resources"`
	Cursor    string         `json:"cursor,omitempty"`
}

// PermissionsResponse is the body of GET
// /v1/users/{userId}/resources/{uri}/permissions.
type PermissionsResponse struct {
	Permissions []engine.HeldPermission `json:"permissions"`
}

// MembershipsResponse is the body of GET /v1/users/{userId}/memberships.
type MembershipsResponse struct {
	Memberships []engine.UserMembership `json:"memberships"`
}

// ResourceItem names one resource pattern.
type ResourceItem struct {
	ResourceURI string `json:"resourceUri"`
}

func (h *handlers) users(g *gin.RouterGroup) {
	g.GET("/resources/:uri/permissions/:action", h.checkPermission)
	g.GET("/resources/:uri/permissions", h.listPermissions)
	g.GET("/resources", h.listResources)
	g.GET("/memberships", h.listMemberships)
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

// page returns up to limit sorted uris after the cursor value.
func page(uris []string, after string, limit int) ResourcesResponse {
	sort.Strings(uris)
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

// pageParams reads limit and cursor, listing every problem.
func pageParams(c *gin.Context) (int, string, []model.Problem) {
	var ps model.Problems
	limit := DefaultPageLimit
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageLimit {
			ps.Add("limit", "must be a whole number from 1 to %d", MaxPageLimit)
		}
		limit = n
	}
	after, err := decodeCursor(c.Query("cursor"))
	if err != nil {
		ps.Add("cursor", "is not a cursor this server issued")
	}
	return limit, after, ps.List()
}

func encodeCursor(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(last))
}

func decodeCursor(s string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	return string(raw), err
}
