package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/api/wire"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Error codes the server sends in ErrorBody.Code (package wire).
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

// ErrorBody is the server's one error shape (package wire).
type ErrorBody = wire.ErrorBody

// Error is a request the server answered with a status other than 2xx.
// Code, Message and Problems are its error body; a body that is not one
// (a proxy's page) leaves Code empty and keeps the start of it in Message.
type Error struct {
	Status   int
	Code     string
	Message  string
	Problems []model.Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gatehouse: %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "; %s: %s", p.Field, p.Message)
	}
	return b.String()
}

// errorFrom reads the error of a reply that is not 2xx.
func errorFrom(r reply) *Error {
	e := &Error{Status: r.status}
	var body ErrorBody
	if err := json.Unmarshal(r.body, &body); err == nil && body.Code != "" {
		e.Code, e.Message, e.Problems = body.Code, body.Message, body.Errors
		return e
	}
	e.Message = http.StatusText(r.status)
	if text := strings.TrimSpace(string(r.body)); text != "" {
		e.Message = text[:min(len(text), maxErrorBody)]
	}
	return e
}

// statusOf returns the status of an *Error in err's chain, or 0.
func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// IsNotFound reports a 404: no such document or route, or (from
// CheckPermission) a permission the user does not hold.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsConflict reports a 409: a changed version, a taken id, or references.
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// IsInvalid reports a 422: the input has the problems the *Error lists.
func IsInvalid(err error) bool { return statusOf(err) == http.StatusUnprocessableEntity }

// IsForbidden reports a 403: the key lacks a scope, or the user on whose
// behalf a write was made may not make it.
func IsForbidden(err error) bool { return statusOf(err) == http.StatusForbidden }

// IsUnauthorized reports a 401: no API key, or one the server does not know.
func IsUnauthorized(err error) bool { return statusOf(err) == http.StatusUnauthorized }

// IsUnavailable reports a 503: data not loaded yet, or the store down.
func IsUnavailable(err error) bool { return statusOf(err) == http.StatusServiceUnavailable }
