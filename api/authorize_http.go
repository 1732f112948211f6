package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// HTTPCheck is the body of POST /v1/authorize/http: a request to the
// apps onboarded to a tenant, by a user or by an app. User and app are
// pointers so that a present but empty value is refused rather than read
// as absent.
type HTTPCheck struct {
	Tenant string  `json:"tenant"`
	Method string  `json:"method"`
	Path   string  `json:"path"`
	User   *string `json:"user"`
	App    *string `json:"app"`
}

// input converts the check and lists every problem with it.
func (c HTTPCheck) input() (engine.HTTPInput, []model.Problem) {
	in := engine.HTTPInput{Tenant: c.Tenant, Method: c.Method, Path: c.Path}
	var ps model.Problems
	given(&ps, "user", c.User, &in.User)
	given(&ps, "app", c.App, &in.App)
	out := ps.List()
	for _, p := range in.Validate() {
		if !slices.ContainsFunc(out, func(q model.Problem) bool { return q.Field == p.Field }) {
			out = append(out, p)
		}
	}
	return in, out
}

// authorizeHTTP answers POST /v1/authorize/http: the route's decision
// with the route, or a deny with denied_by "no_route".
func (h *handlers) authorizeHTTP(c *gin.Context) {
	in, err := bindInput[engine.HTTPInput](c, &HTTPCheck{})
	if err != nil {
		h.fail(c, err)
		return
	}
	start := time.Now()
	d, err := h.engine.DecideHTTP(c.Request.Context(), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.metrics.observeDecision(d.Decision, time.Since(start))
	c.JSON(http.StatusOK, d)
}
