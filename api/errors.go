package api

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/api/wire"
	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes"
)

// Error codes of the error body (package wire).
const (
	CodeMalformed     = wire.CodeMalformed
	CodeInvalid       = wire.CodeInvalid
	CodeTooLarge      = wire.CodeTooLarge
	CodeNotFound      = wire.CodeNotFound
	CodeNotReady      = wire.CodeNotReady
	CodeUnavailable   = wire.CodeUnavailable
	CodeInternal      = wire.CodeInternal
	CodeNoPermission  = wire.CodeNoPermission
	CodeBatchTooLarge = wire.CodeBatchTooLarge
	CodeForbidden     = wire.CodeForbidden
	CodeUnauthorized  = wire.CodeUnauthorized
	CodeConflict      = wire.CodeConflict
	CodeOverloaded    = wire.CodeOverloaded
)

// ErrorBody is the one error shape every route returns (package wire).
type ErrorBody = wire.ErrorBody

// Error is an error that knows its HTTP status and body.
type Error struct {
	Status int
	Body   ErrorBody
}

func (e *Error) Error() string { return e.Body.Code + ": " + e.Body.Message }

func newError(status int, code, message string, problems ...model.Problem) *Error {
	return &Error{Status: status, Body: ErrorBody{Code: code, Message: message, Errors: problems}}
}

func malformed(message string) *Error {
	return newError(http.StatusBadRequest, CodeMalformed, message)
}

// toError maps any error to its HTTP form. Unknown errors become a 500
// with a generic message; their cause is logged, never sent.
func toError(err error, log *slog.Logger) *Error {
	var (
		apiErr   *Error
		invalid  *engine.InvalidInputError
		verr     *model.ValidationError
		tooLarge *http.MaxBytesError
		refused  *writes.Error
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &refused):
		return writeError(refused)
	case errors.As(err, &invalid):
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", invalid.Problems...)
	case errors.As(err, &verr):
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the documents are invalid", verr.Problems...)
	case errors.Is(err, engine.ErrInvalidInput):
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid",
			model.Problem{Field: "query", Message: inputDetail(err)})
	case errors.As(err, &tooLarge):
		return newError(http.StatusRequestEntityTooLarge, CodeTooLarge, "the request body is larger than the limit")
	case errors.Is(err, model.ErrConflict):
		return newError(http.StatusConflict, CodeConflict, "the document changed: read it again and retry")
	case errors.Is(err, bundles.ErrUnknownBundle):
		return newError(http.StatusNotFound, CodeNotFound, "no such bundle (want gatehouse or tenants/{tenantId})")
	case errors.Is(err, model.ErrNotFound):
		return newError(http.StatusNotFound, CodeNotFound, "no such document")
	case errors.Is(err, engine.ErrNotReady):
		return newError(http.StatusServiceUnavailable, CodeNotReady, "data is not loaded yet")
	case errors.Is(err, engine.ErrStoreUnavailable):
		return newError(http.StatusServiceUnavailable, CodeUnavailable, "the store is unavailable")
	}
	log.Error("request failed", "error", err)
	return newError(http.StatusInternalServerError, CodeInternal, "internal error")
}

// writeError renders a write the writes service refused: its message and
// problems are meant for the caller.
func writeError(e *writes.Error) *Error {
	status, code := http.StatusConflict, CodeConflict
	switch {
	case errors.Is(e.Kind, writes.ErrInvalid):
		status, code = http.StatusUnprocessableEntity, CodeInvalid
	case errors.Is(e.Kind, writes.ErrForbidden):
		status, code = http.StatusForbidden, CodeForbidden
	}
	return newError(status, code, e.Message, e.Problems...)
}

// inputDetail says what an error wrapping engine.ErrInvalidInput adds to
// it: the errors beside the sentinel when it wraps several (fmt.Errorf
// with two %w, errors.Join), else its text without the sentinel's prefix.
// The engine only marks problems with the caller's input this way, so the
// detail is meant for the caller.
func inputDetail(err error) string {
	sentinel := engine.ErrInvalidInput.Error()
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range multi.Unwrap() {
			if e != nil && !errors.Is(e, engine.ErrInvalidInput) {
				parts = append(parts, e.Error())
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, "; ")
		}
	}
	msg := strings.TrimSpace(strings.Replace(err.Error(), sentinel+": ", "", 1))
	if msg == "" {
		return sentinel
	}
	return msg
}

// fail renders err and aborts the request.
func (h *handlers) fail(c *gin.Context, err error) {
	e := toError(err, h.log)
	c.AbortWithStatusJSON(e.Status, e.Body)
}

// bindJSON decodes the body strictly into out: malformed JSON, invalid
// UTF-8, repeated keys and trailing data are 400; null, a wrong type or an
// unknown field is 422 listing every such field.
func bindJSON(c *gin.Context, out any) error {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return tooLarge
		}
		return malformed("the request body could not be read")
	}
	return decodeStrict(raw, out)
}

// decodeStrict is bindJSON for bytes already read.
func decodeStrict(raw []byte, out any) error {
	return jsonError(model.DecodeJSON(raw, out))
}

// jsonError turns the model's decoding errors into the API's.
func jsonError(err error) error {
	var bad *model.MalformedError
	var shape *model.ShapeError
	switch {
	case errors.As(err, &bad):
		return malformed(bad.Message)
	case errors.As(err, &shape):
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the request is invalid", shape.Problems...)
	}
	return err
}
