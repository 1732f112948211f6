package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine"
)

// DataRequest is the body of POST /v1/data/{path}, as in OPA.
type DataRequest struct {
	Input *any `json:"input"`
}

func (h *handlers) data(g *gin.RouterGroup) {
	for _, p := range []string{"", "/*path"} {
		g.GET(p, h.queryData)
		g.POST(p, h.queryData)
	}
}

func (h *handlers) queryData(c *gin.Context) {
	input, err := dataInput(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	opts := engine.QueryOptions{Explain: c.Query("explain")}
	_, opts.Metrics = c.GetQuery("metrics")
	if opts.Explain != engine.ExplainOff && opts.Explain != engine.ExplainNotes && opts.Explain != engine.ExplainFull {
		h.fail(c, malformed("explain must be notes or full"))
		return
	}
	res, err := h.engine.Query(c.Request.Context(), c.Param("path"), input, opts)
	if err != nil {
		h.fail(c, err)
		return
	}
	body := gin.H{}
	if res.Defined {
		body["result"] = res.Result
		body["decision_id"] = res.DecisionID
	}
	if res.Metrics != nil {
		body["metrics"] = res.Metrics
	}
	if res.Explanation != nil {
		body["explanation"] = res.Explanation
	}
	c.JSON(http.StatusOK, body)
}

// dataInput reads the input from a POST body or GET's ?input= parameter.
func dataInput(c *gin.Context) (any, error) {
	if c.Request.Method == http.MethodGet {
		s, ok := c.GetQuery("input")
		if !ok {
			return nil, nil
		}
		var v any
		if err := decodeAny([]byte(s), &v); err != nil {
			return nil, err
		}
		return v, nil
	}
	var req DataRequest
	if c.Request.ContentLength == 0 {
		return nil, nil
	}
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	if req.Input == nil {
		return nil, nil
	}
	return *req.Input, nil
}

func decodeAny(raw []byte, out *any) error { return decodeStrict(raw, out) }

// requireData admits Data API callers. The read scope reads any path. The
// decide scope, meant for services that only ask questions, may evaluate
// only the entrypoints the engine names (engine.Engine.IsEntrypoint: the
// decision and lookup rules and rules custom policies declare as
// entrypoints), never the raw data, data as a whole or helper rules.
func (h *handlers) requireData(c *gin.Context) {
	key, ok := h.authenticate(c)
	if !ok {
		return
	}
	if key.has(ScopeRead) {
		c.Next()
		return
	}
	if !key.has(ScopeDecide) {
		h.fail(c, newError(http.StatusForbidden, CodeForbidden, fmt.Sprintf("API key %q lacks the %s or %s scope", key.name, ScopeDecide, ScopeRead)))
		return
	}
	entry, err := h.engine.IsEntrypoint(c.Param("path"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if !entry {
		h.fail(c, newError(http.StatusForbidden, CodeForbidden,
			fmt.Sprintf("API key %q may query only decision and lookup entrypoints; reading data needs the %s scope", key.name, ScopeRead)))
		return
	}
	c.Next()
}
