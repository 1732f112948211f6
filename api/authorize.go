package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Check is one decision question as posted: user, installation or both,
// or app with tenant. The subjects are pointers so that a present but
// empty value is refused rather than read as absent, which would change
// the mode of the decision.
type Check struct {
	User         *string `json:"user"`
	Installation *string `json:"installation"`
	App          *string `json:"app"`
	Tenant       *string `json:"tenant"`
	Resource     string  `json:"resource"`
	Permission   string  `json:"permission"`
}

// input converts the check and lists every problem with it.
func (c Check) input() (engine.Input, []model.Problem) {
	in := engine.Input{Resource: c.Resource, Permission: c.Permission}
	var ps model.Problems
	given(&ps, "user", c.User, &in.User)
	given(&ps, "installation", c.Installation, &in.Installation)
	given(&ps, "app", c.App, &in.App)
	given(&ps, "tenant", c.Tenant, &in.Tenant)
	return in, append(ps.List(), in.Validate()...)
}

// given copies a present subject id into dst; present but blank is a
// problem, never "absent", which would change the mode of the decision.
func given(ps *model.Problems, field string, v *string, dst *string) {
	if v == nil {
		return
	}
	if strings.TrimSpace(*v) == "" {
		ps.Add(field, "must not be blank when given")
		return
	}
	*dst = *v
}

// BatchRequest is the body of POST /v1/authorize/batch.
type BatchRequest struct {
	Checks []Check `json:"checks"`
}

// BatchResponse holds one decision per check, in order.
type BatchResponse struct {
	Results []engine.Decision `json:"results"`
}

func (h *handlers) authorize(g *gin.RouterGroup) {
	g.POST("", h.authorizeOne)
	g.POST("/batch", h.authorizeBatch)
	g.POST("/http", h.authorizeHTTP)
}

// Explained is the body of POST /v1/authorize?explain=true: the decision
// and why it answers so.
type Explained struct {
	engine.Decision
	Explanation engine.Explanation `json:"explanation"`
}

func (h *handlers) authorizeOne(c *gin.Context) {
	explain, bad := explainParam(c)
	in, err := bindInput[engine.Input](c, &Check{})
	if err = withProblems(err, bad); err != nil {
		h.fail(c, err)
		return
	}
	if explain {
		h.explain(c, in)
		return
	}
	d, err := h.decide(c.Request.Context(), in)
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
	inputs, err := h.checkBatch(req.Checks)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := BatchResponse{Results: make([]engine.Decision, len(inputs))}
	for i, in := range inputs {
		d, err := h.decide(c.Request.Context(), in)
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
func (h *handlers) checkBatch(checks []Check) ([]engine.Input, error) {
	if len(checks) == 0 {
		return nil, newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid",
			model.Problem{Field: "checks", Message: "is empty"})
	}
	if len(checks) > h.cfg.MaxBatch {
		return nil, newError(http.StatusRequestEntityTooLarge, CodeBatchTooLarge,
			fmt.Sprintf("%d checks in one batch; the limit is %d", len(checks), h.cfg.MaxBatch))
	}
	var all []model.Problem
	inputs := make([]engine.Input, len(checks))
	for i, c := range checks {
		in, problems := c.input()
		for _, p := range problems {
			p.Field = fmt.Sprintf("checks[%d].%s", i, p.Field)
			all = append(all, p)
		}
		inputs[i] = in
	}
	if len(all) > 0 {
		return nil, newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", all...)
	}
	return inputs, nil
}

// inputter is a request body that maps to the engine's input.
type inputter[I any] interface {
	input() (I, []model.Problem)
}

// bindInput binds the body into check and maps it to the engine's input:
// 400 or 422 from binding, 422 listing every problem of the mapping.
func bindInput[I any, T inputter[I]](c *gin.Context, check T) (I, error) {
	var zero I
	if err := bindJSON(c, check); err != nil {
		return zero, err
	}
	in, problems := check.input()
	if len(problems) > 0 {
		return zero, newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", problems...)
	}
	return in, nil
}

// explain answers with the decision and its explanation; the decision is
// counted in the metrics as any other.
func (h *handlers) explain(c *gin.Context, in engine.Input) {
	start := time.Now()
	d, x, err := h.engine.Explain(c.Request.Context(), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.metrics.observeDecision(d, time.Since(start))
	c.JSON(http.StatusOK, Explained{Decision: d, Explanation: x})
}

// explainParam reads ?explain: absent or "false" is false, "true" is true;
// any other value, or more than one, is a problem.
func explainParam(c *gin.Context) (bool, []model.Problem) {
	vs, ok := c.GetQueryArray("explain")
	switch {
	case !ok:
		return false, nil
	case len(vs) == 1 && (vs[0] == "true" || vs[0] == "false"):
		return vs[0] == "true", nil
	}
	return false, []model.Problem{{Field: "explain", Message: "must be true or false, given once"}}
}

// withProblems adds the query's problems to the body's: 422 listing both
// when the body is well-formed, the body's error (400, 413) otherwise.
func withProblems(err error, problems []model.Problem) error {
	if len(problems) == 0 {
		return err
	}
	var body *Error
	switch {
	case err == nil:
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", problems...)
	case errors.As(err, &body) && body.Status == http.StatusUnprocessableEntity:
		return newError(http.StatusUnprocessableEntity, body.Body.Code, body.Body.Message, append(problems, body.Body.Errors...)...)
	}
	return err
}
