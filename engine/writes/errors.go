package writes

import (
	"errors"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Kinds of refused write, for errors.Is. A conflict is model.ErrConflict.
var (
	// ErrInvalid: the document, its references or the roles it gives are
	// not acceptable; Error.Problems lists every problem.
	ErrInvalid = errors.New("writes: invalid document")
	// ErrForbidden: the actor may not make this write.
	ErrForbidden = errors.New("writes: forbidden")
)

// Error is a write refused for a reason the caller can act on: its Kind is
// ErrInvalid, ErrForbidden or model.ErrConflict, and its Message and
// Problems are meant for the caller.
type Error struct {
	Kind     error
	Message  string
	Problems []model.Problem
}

func (e *Error) Error() string { return e.Kind.Error() + ": " + e.Message }

// Unwrap lets errors.Is(err, e.Kind) match.
func (e *Error) Unwrap() error { return e.Kind }

func invalid(problems []model.Problem) *Error {
	return &Error{Kind: ErrInvalid, Message: "the document is invalid", Problems: problems}
}

func forbiddenError(message string, problems ...model.Problem) *Error {
	return &Error{Kind: ErrForbidden, Message: message, Problems: problems}
}

func conflict(message string, problems ...model.Problem) *Error {
	return &Error{Kind: model.ErrConflict, Message: message, Problems: problems}
}
