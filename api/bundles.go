package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/bundles"
)

// Content types of bundle responses; OPA keeps long polling only while
// responses carry the second.
const (
	contentGzip    = "application/gzip"
	contentBundles = "application/vnd.openpolicyagent.bundles"
)

func (h *handlers) bundleRoutes(r *gin.Engine) {
	if h.bundles != nil {
		r.GET("/v1/bundles/*name", h.require(ScopeBundles), h.getBundle)
	}
}

func (h *handlers) getBundle(c *gin.Context) {
	wait := preferWait(c.GetHeader("Prefer"))
	if wait > 0 {
		// A long poll outlasts the server's read and write timeouts.
		rc, until := http.NewResponseController(c.Writer), time.Now().Add(wait+30*time.Second)
		_ = rc.SetReadDeadline(until)
		_ = rc.SetWriteDeadline(until)
	}
	name := strings.Trim(c.Param("name"), "/")
	b, notModified, err := h.bundles.Get(c.Request.Context(), name, c.GetHeader("If-None-Match"), wait)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("ETag", b.ETag)
	contentType := contentGzip
	if wait > 0 {
		contentType = contentBundles
	}
	if notModified {
		c.Header("Content-Type", contentType)
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, contentType, b.Body)
}

// preferWait reads "wait=N" (seconds) from a Prefer header such as
// "modes=snapshot,delta;wait=30"; 0 when absent or malformed.
func preferWait(prefer string) time.Duration {
	for _, part := range strings.FieldsFunc(prefer, func(r rune) bool { return r == ';' || r == ',' }) {
		v, ok := strings.CutPrefix(strings.TrimSpace(part), "wait=")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return min(time.Duration(n)*time.Second, bundles.MaxWait)
		}
	}
	return 0
}
