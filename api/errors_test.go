package api

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes"
)

func TestToError(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.7:27017: connection refused")
	own := newError(http.StatusTeapot, "teapot", "short and stout")
	problems := []model.Problem{{Field: "user", Message: "must be a string"}}
	tests := []struct {
		name    string
		err     error
		want    ErrorBody
		status  int
		logged  bool // the cause goes to the log
		noLeaks bool // the cause's text must not reach the body
	}{
		{name: "api error", err: fmt.Errorf("wrapped: %w", own), status: http.StatusTeapot, want: own.Body},
		{name: "invalid input problems", err: &engine.InvalidInputError{Problems: problems}, status: 422,
			want: ErrorBody{Code: CodeInvalid, Message: "the request is invalid", Errors: problems}},
		{name: "validation error", err: fmt.Errorf("put: %w", &model.ValidationError{Problems: problems}), status: 422,
			want: ErrorBody{Code: CodeInvalid, Message: "the documents are invalid", Errors: problems}},
		{name: "invalid input wrapping one detail", err: fmt.Errorf("%w: empty segment in data path %q", engine.ErrInvalidInput, "a//b"), status: 422,
			want: ErrorBody{Code: CodeInvalid, Message: "the request is invalid", Errors: []model.Problem{{Field: "query", Message: `empty segment in data path "a//b"`}}}},
		{name: "invalid input wrapping two errors", err: fmt.Errorf("%w: %w", engine.ErrInvalidInput, errors.New("rego_parse_error: bad ref")), status: 422,
			want: ErrorBody{Code: CodeInvalid, Message: "the request is invalid", Errors: []model.Problem{{Field: "query", Message: "rego_parse_error: bad ref"}}}},
		{name: "invalid input joined", err: errors.Join(engine.ErrInvalidInput, errors.New("no such rule")), status: 422,
			want: ErrorBody{Code: CodeInvalid, Message: "the request is invalid", Errors: []model.Problem{{Field: "query", Message: "no such rule"}}}},
		{name: "bare invalid input", err: engine.ErrInvalidInput, status: 422,
			want: ErrorBody{Code: CodeInvalid, Message: "the request is invalid", Errors: []model.Problem{{Field: "query", Message: "invalid input"}}}},
		{name: "too large", err: fmt.Errorf("bind: %w", &http.MaxBytesError{Limit: 10}), status: 413,
			want: ErrorBody{Code: CodeTooLarge, Message: "the request body is larger than the limit"}},
		{name: "conflict", err: fmt.Errorf("records/r1 is at version 2, not 1: %w", model.ErrConflict), status: 409, noLeaks: true,
			want: ErrorBody{Code: CodeConflict, Message: "the document changed: read it again and retry"}},
		{name: "not found", err: fmt.Errorf("roles/x: %w", model.ErrNotFound), status: 404, noLeaks: true,
			want: ErrorBody{Code: CodeNotFound, Message: "no such document"}},
		{name: "unknown bundle", err: fmt.Errorf("%w: %q (want …)", bundles.ErrUnknownBundle, "tenants/10.0.0.7"), status: 404, noLeaks: true,
			want: ErrorBody{Code: CodeNotFound, Message: "no such bundle (want gatehouse or tenants/{tenantId})"}},
		{name: "write invalid", err: fmt.Errorf("put: %w", &writes.Error{Kind: writes.ErrInvalid, Message: "the document is invalid", Problems: problems}), status: 422,
			want: ErrorBody{Code: CodeInvalid, Message: "the document is invalid", Errors: problems}},
		{name: "write forbidden", err: &writes.Error{Kind: writes.ErrForbidden, Message: "u1 may not make this change", Problems: problems}, status: 403,
			want: ErrorBody{Code: CodeForbidden, Message: "u1 may not make this change", Errors: problems}},
		{name: "write conflict keeps its message", err: &writes.Error{Kind: model.ErrConflict, Message: "roles/r1 already exists"}, status: 409,
			want: ErrorBody{Code: CodeConflict, Message: "roles/r1 already exists"}},
		{name: "not ready", err: engine.ErrNotReady, status: 503,
			want: ErrorBody{Code: CodeNotReady, Message: "data is not loaded yet"}},
		{name: "store unavailable", err: fmt.Errorf("%w: %w", engine.ErrStoreUnavailable, secret), status: 503, noLeaks: true,
			want: ErrorBody{Code: CodeUnavailable, Message: "the store is unavailable"}},
		{name: "unknown", err: fmt.Errorf("%w and %w", secret, errors.New("second")), status: 500, logged: true, noLeaks: true,
			want: ErrorBody{Code: CodeInternal, Message: "internal error"}},
		{name: "unknown joined", err: errors.Join(secret, nil, errors.New("x")), status: 500, logged: true, noLeaks: true,
			want: ErrorBody{Code: CodeInternal, Message: "internal error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			got := toError(tt.err, slog.New(slog.NewTextHandler(&logs, nil)))
			if got.Status != tt.status {
				t.Errorf("status %d, want %d", got.Status, tt.status)
			}
			if diff := cmp.Diff(tt.want, got.Body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if tt.noLeaks && strings.Contains(fmt.Sprint(got.Body), "10.0.0.7") {
				t.Errorf("the body leaks the cause: %+v", got.Body)
			}
			if logged := strings.Contains(logs.String(), "10.0.0.7"); logged != tt.logged {
				t.Errorf("cause logged = %v, want %v; log %q", logged, tt.logged, logs.String())
			}
		})
	}
}
