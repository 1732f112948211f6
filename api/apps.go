package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes"
)

// yamlTypes are the media types a manifest may be sent as YAML with.
var yamlTypes = map[string]bool{"application/yaml": true, "application/x-yaml": true, "text/yaml": true, "text/x-yaml": true}

// appRoutes serves app manifests and onboarding (SPEC section 6).
func (h *handlers) appRoutes(r *gin.Engine) {
	read, write := h.require(ScopeRead), h.require(ScopeWrite)
	bounded := deadline(h.cfg.WriteTimeout)
	g := r.Group("/v1/apps/:appId")
	g.GET("/versions", read, bounded, h.listVersions)
	g.GET("/versions/:versionId", read, bounded, h.getVersion)
	g.PUT("/versions/:versionId", write, h.requireReady, bounded, h.putVersion)
	g.POST("/onboard", write, h.requireReady, bounded, h.onboard)
	g.DELETE("/onboardings/:tenantId", write, h.requireReady, bounded, h.offboard)
}

// putVersion stores a manifest sent as JSON or, with a YAML media type,
// as YAML: 201 for a new version, 200 for the same one again.
func (h *handlers) putVersion(c *gin.Context) {
	o, err := bindWriteOptions(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	m, err := bindManifest(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	res, err := h.writes.PutAppVersion(c.Request.Context(), c.Param("appId"), c.Param("versionId"), m, o)
	if err != nil {
		h.fail(c, err)
		return
	}
	renderPut(c, res)
}

// bindManifest decodes the body as YAML or JSON by its Content-Type.
func bindManifest(c *gin.Context) (*model.Manifest, error) {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, tooLarge
		}
		return nil, malformed("the request body could not be read")
	}
	media, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	m, err := model.DecodeManifest(raw, yamlTypes[strings.ToLower(media)])
	return m, jsonError(err)
}

func (h *handlers) getVersion(c *gin.Context) {
	id := model.AppVersionID(c.Param("appId"), c.Param("versionId"))
	doc, err := h.store.Get(c.Request.Context(), model.Apps, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("ETag", etag(doc))
	c.JSON(http.StatusOK, doc)
}

// listVersions lists an app's versions by version id, a page at a time.
func (h *handlers) listVersions(c *gin.Context) {
	limit, after, problems := pageParams(c)
	if !model.CheckAppID(c.Param("appId")) {
		problems = append(problems, model.Problem{Field: "appId", Message: model.AppIDRule})
	}
	if len(problems) > 0 {
		h.fail(c, newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", problems...))
		return
	}
	prefix := model.AppVersionID(c.Param("appId"), "")
	if after == "" || !strings.HasPrefix(after, prefix) {
		after = prefix
	}
	docs, err := h.store.List(c.Request.Context(), model.Apps, after, limit+1)
	if err != nil {
		h.fail(c, err)
		return
	}
	versions := []model.Document{}
	for _, d := range docs {
		if strings.HasPrefix(d.DocMeta().ID, prefix) {
			versions = append(versions, d)
		}
	}
	body := gin.H{}
	if len(versions) > limit {
		versions = versions[:limit]
		body["cursor"] = encodeCursor(versions[limit-1].DocMeta().ID)
	}
	body["versions"] = versions
	c.JSON(http.StatusOK, body)
}

// onboard answers what the onboarding created per tenant (202 with
// PendingHeader when stored but not yet applied here).
func (h *handlers) onboard(c *gin.Context) {
	o, err := bindWriteOptions(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	var req writes.OnboardRequest
	if err := bindJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	out, err := h.writes.Onboard(c.Request.Context(), c.Param("appId"), req, o)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(onboardStatus(c, out), out.Answer)
}

// offboard removes an app from a tenant: 204.
func (h *handlers) offboard(c *gin.Context) {
	o, err := bindWriteOptions(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	out, err := h.writes.Offboard(c.Request.Context(), c.Param("appId"), c.Param("tenantId"), o)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Status(onboardStatus(c, out))
}

func onboardStatus(c *gin.Context, out writes.Onboarded) int {
	if out.Pending {
		c.Header(PendingHeader, pendingSync)
		return http.StatusAccepted
	}
	if c.Request.Method == http.MethodDelete {
		return http.StatusNoContent
	}
	return http.StatusOK
}
