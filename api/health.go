package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

func (h *handlers) health(r *gin.Engine) {
	r.GET("/health", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/ready", h.ready)
	r.GET("/v1/status", h.require(ScopeRead), h.statusReport)
}

func (h *handlers) ready(c *gin.Context) {
	if !h.engine.Ready() {
		c.JSON(http.StatusServiceUnavailable, ErrorBody{Code: CodeNotReady, Message: "data is not loaded yet"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "revision": h.engine.Revision()})
}

// StatusResponse is the body of GET /v1/status.
type StatusResponse struct {
	Ready     bool           `json:"ready"`
	Revision  uint64         `json:"revision"`
	Documents map[string]int `json:"documents"`
	Skipped   map[string]int `json:"skipped"`
	// SkippedPolicies are custom policies left out: they do not compile
	// or declare rules outside package gatehouse.hooks.
	SkippedPolicies []string   `json:"skippedPolicies,omitempty"`
	LoadedAt        *time.Time `json:"loadedAt"`
	Sync            any        `json:"sync"`
	Uptime          string     `json:"uptime"`
}

func (h *handlers) statusReport(c *gin.Context) {
	out := StatusResponse{Documents: map[string]int{}, Skipped: map[string]int{}, Uptime: time.Since(h.start).Round(time.Second).String()}
	if st, ok := h.engine.Status(); ok {
		out.Ready, out.Revision, out.Documents = true, st.Revision, st.Documents
		out.LoadedAt, out.SkippedPolicies = &st.LoadedAt, st.SkippedPolicies
	}
	if h.status != nil {
		out.Skipped = h.status.Skipped()
		out.Sync = h.status.Freshness()
	}
	c.JSON(http.StatusOK, out)
}
