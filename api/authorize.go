package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// BatchRequest is the body of POST /v1/authorize/batch.
type BatchRequest struct {
	Checks []engine.Input `json:"checks"`
}

// BatchResponse holds one decision per check, in order.
type BatchResponse struct {
	Results []engine.Decision `json:"results"`
}

func (h *handlers) authorize(g *gin.RouterGroup) {
	g.POST("", h.authorizeOne)
	g.POST("/batch", h.authorizeBatch)
}

func (h *handlers) authorizeOne(c *gin.Context) {
	var in engine.Input
	if err := bindJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	d, err := h.engine.Decide(c.Request.Context(), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (h *handlers) authorizeBatch(c *gin.Context) {
	var req BatchRequest
	if err := bindJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.checkBatch(req.Checks); err != nil {
		h.fail(c, err)
		return
	}
	out := BatchResponse{Results: make([]engine.Decision, len(req.Checks))}
	for i, in := range req.Checks {
		d, err := h.engine.Decide(c.Request.Context(), in)
		if err != nil {
			h.fail(c, err)
			return
		}
		out.Results[i] = d
	}
	c.JSON(http.StatusOK, out)
}

// checkBatch validates every check up front, so a bad batch is refused whole
// with every problem listed.
func (h *handlers) checkBatch(checks []engine.Input) error {
	if len(checks) == 0 {
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid",
			model.Problem{Field: "checks", Message: "is empty"})
	}
	if len(checks) > h.cfg.MaxBatch {
		return newError(http.StatusRequestEntityTooLarge, CodeBatchTooLarge,
			fmt.Sprintf("%d checks in one batch; the limit is %d", len(checks), h.cfg.MaxBatch))
	}
	var all []model.Problem
	for i, in := range checks {
		for _, p := range in.Validate() {
			p.Field = fmt.Sprintf("checks[%d].%s", i, p.Field)
			all = append(all, p)
		}
	}
	if len(all) > 0 {
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", all...)
	}
	return nil
}
