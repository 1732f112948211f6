package authzen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The routes, as the spec names them.
const (
	PathEvaluation  = "/access/v1/evaluation"
	PathEvaluations = "/access/v1/evaluations"
	PathMetadata    = "/.well-known/authzen-configuration"
	HeaderRequestID = "X-Request-ID"
)

// The error codes this package uses; they are the api package's.
const (
	CodeMalformed     = "malformed_request"
	CodeInvalid       = "invalid_input"
	CodeBatchTooLarge = "batch_too_large"
)

// Deps is what the handlers take from the api package, so that decisions,
// limits and error bodies are the rest of the API's.
type Deps struct {
	// Decide answers one decision, as POST /v1/authorize does. It returns
	// an *engine.InvalidInputError for bad input and engine.ErrNotReady
	// before data is loaded.
	Decide func(ctx context.Context, in engine.Input) (engine.Decision, error)
	// Error builds the API's error for a status, code, message and problems.
	Error func(status int, code, message string, problems ...model.Problem) error
	// Fail renders any error as the API's error body and aborts the request.
	Fail func(c *gin.Context, err error)
	// MaxBatch bounds the entries of one evaluations request.
	MaxBatch int
	// Search answers the search routes.
	Search Searches
}

type handlers struct{ Deps }

// Register mounts the evaluation endpoints behind guard (the decide
// scope) and the public metadata document on r.
func Register(r gin.IRouter, guard gin.HandlerFunc, d Deps) {
	h := handlers{d}
	g := r.Group("/access/v1", echoRequestID, guard)
	g.POST("/evaluation", h.evaluation)
	g.POST("/evaluations", h.evaluations)
	h.registerSearch(g)
	r.GET(PathMetadata, h.metadata)
}

// echoRequestID returns the request's X-Request-ID on the response, as
// the spec requires, errors included.
func echoRequestID(c *gin.Context) {
	if id := c.GetHeader(HeaderRequestID); id != "" {
		c.Header(HeaderRequestID, id)
	}
	c.Next()
}

func (h handlers) evaluation(c *gin.Context) {
	raw, ok := h.body(c)
	if !ok {
		return
	}
	e, err := parseEvaluation(raw)
	if err != nil {
		h.Fail(c, h.decodeError(err))
		return
	}
	h.single(c, e)
}

// single answers one evaluation; any problem with it is a 400.
func (h handlers) single(c *gin.Context, e Evaluation) {
	in, problems := Input(e)
	if len(problems) > 0 {
		h.Fail(c, h.Error(http.StatusBadRequest, CodeInvalid, "the request is invalid", problems...))
		return
	}
	d, err := h.Decide(c.Request.Context(), in)
	if err != nil {
		h.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, answer(d))
}

func (h handlers) evaluations(c *gin.Context) {
	raw, ok := h.body(c)
	if !ok {
		return
	}
	req, err := parseEvaluations(raw)
	if err != nil {
		h.Fail(c, h.decodeError(err))
		return
	}
	if len(req.Evaluations) == 0 {
		h.single(c, req.Evaluation)
		return
	}
	if len(req.Evaluations) > h.MaxBatch {
		h.Fail(c, h.Error(http.StatusRequestEntityTooLarge, CodeBatchTooLarge,
			fmt.Sprintf("%d evaluations in one request; the limit is %d", len(req.Evaluations), h.MaxBatch)))
		return
	}
	out, err := h.batch(c.Request.Context(), req)
	if err != nil {
		h.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// batch evaluates the entries in order. An entry that cannot be evaluated
// is a deny carrying its error (as the spec's execute_all allows and its
// certification expects); under deny_on_first_deny it stops the batch
// like any deny, and the answer ends with the entry that stopped it.
func (h handlers) batch(ctx context.Context, req Evaluations) (BatchResponse, error) {
	semantic := semantic(req)
	out := BatchResponse{Evaluations: make([]Decision, 0, len(req.Evaluations))}
	for i, entry := range req.Evaluations {
		in, problems := Input(withDefaults(entry, req.Evaluation))
		var d Decision
		if len(problems) > 0 {
			for j := range problems {
				problems[j].Field = fmt.Sprintf("evaluations[%d].%s", i, problems[j].Field)
			}
			d = Decision{Context: &DecisionContext{Error: &EntryError{Status: http.StatusBadRequest, Message: "the evaluation is invalid", Errors: problems}}}
		} else {
			decided, err := h.Decide(ctx, in)
			if err != nil {
				return BatchResponse{}, err
			}
			d = answer(decided)
		}
		out.Evaluations = append(out.Evaluations, d)
		if (semantic == DenyOnFirstDeny && !d.Decision) || (semantic == PermitOnFirstPermit && d.Decision) {
			break
		}
	}
	return out, nil
}

// metadata serves the PDP metadata document. URLs are absolute, built
// from the request: https when it came over TLS or a proxy says so in
// X-Forwarded-Proto, and its Host.
func (h handlers) metadata(c *gin.Context) {
	scheme := "http"
	if c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	base := scheme + "://" + c.Request.Host
	c.JSON(http.StatusOK, Metadata{
		PolicyDecisionPoint:       base,
		AccessEvaluationEndpoint:  base + PathEvaluation,
		AccessEvaluationsEndpoint: base + PathEvaluations,
		SearchSubjectEndpoint:     base + PathSearchSubject,
		SearchResourceEndpoint:    base + PathSearchResource,
		SearchActionEndpoint:      base + PathSearchAction,
	})
}

// body checks the content type (the spec requires application/json) and
// reads the body; on failure it has rendered the error.
func (h handlers) body(c *gin.Context) ([]byte, bool) {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		h.Fail(c, h.Error(http.StatusBadRequest, CodeMalformed, "the Content-Type must be application/json"))
		return nil, false
	}
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if !errors.As(err, &tooLarge) {
			err = h.Error(http.StatusBadRequest, CodeMalformed, "the request body could not be read")
		}
		h.Fail(c, err)
		return nil, false
	}
	return raw, true
}

// decodeError turns the model's decoding errors into 400s: AuthZEN asks
// for 400 on any bad request, where the rest of the API answers 422 for a
// well-formed body of the wrong shape.
func (h handlers) decodeError(err error) error {
	var bad *model.MalformedError
	var shape *model.ShapeError
	switch {
	case errors.As(err, &bad):
		return h.Error(http.StatusBadRequest, CodeMalformed, bad.Message)
	case errors.As(err, &shape):
		return h.Error(http.StatusBadRequest, CodeInvalid, "the request is invalid", shape.Problems...)
	}
	return err
}
