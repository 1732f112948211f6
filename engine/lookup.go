package engine

import (
	"context"
	"errors"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/model"
)

// HeldPermission is an action a user holds on a resource, flags merged.
type HeldPermission struct {
	Action   string `json:"action"`
	Allow    bool   `json:"allow"`
	Grant    bool   `json:"grant"`
	Delegate bool   `json:"delegate"`
}

// UserMembership is a membership reaching a context.
type UserMembership struct {
	ID          string           `json:"id"`
	Context     string           `json:"context"`
	Inherited   bool             `json:"inherited"`
	Roles       []string         `json:"roles"`
	Permissions []HeldPermission `json:"permissions"`
}

// Permissions lists what user holds on resource.
func (e *Engine) Permissions(ctx context.Context, user, resource string) ([]HeldPermission, error) {
	var ps model.Problems
	required(&ps, "user", user)
	uriField(&ps, "resource", resource)
	if err := inputError(ps.List()); err != nil {
		return nil, err
	}
	out := []HeldPermission{}
	err := e.lookup(ctx, PermissionsQuery, &out, "user", user, "resource", resource)
	return out, err
}

// Resources lists the grant patterns through which user holds permission,
// restricted to prefix when it is not empty, sorted.
func (e *Engine) Resources(ctx context.Context, user, permission, prefix string) ([]string, error) {
	if err := inputError(ResourcesProblems(user, permission, prefix)); err != nil {
		return nil, err
	}
	out := []string{}
	err := e.lookup(ctx, ResourcesQuery, &out, "user", user, "permission", permission, "prefix", prefix)
	return out, err
}

// ResourcesProblems lists every problem with the input of Resources.
func ResourcesProblems(user, permission, prefix string) []model.Problem {
	var ps model.Problems
	required(&ps, "user", user)
	if _, err := model.ActionSegments(permission); err != nil {
		ps.Add("permission", "%v", err)
	}
	if prefix != "" {
		uriField(&ps, "prefix", prefix)
	}
	return ps.List()
}

// Memberships lists user's memberships at context and above.
func (e *Engine) Memberships(ctx context.Context, user, context string) ([]UserMembership, error) {
	var ps model.Problems
	required(&ps, "user", user)
	uriField(&ps, "context", context)
	if err := inputError(ps.List()); err != nil {
		return nil, err
	}
	out := []UserMembership{}
	err := e.lookup(ctx, MembershipsQuery, &out, "user", user, "context", context)
	return out, err
}

// lookup evaluates a lookup entrypoint with string key/value pairs as input.
func (e *Engine) lookup(ctx context.Context, query string, out any, kv ...string) error {
	g, err := e.current()
	if err != nil {
		return err
	}
	obj := ast.NewObject()
	for i := 0; i+1 < len(kv); i += 2 {
		obj.Insert(ast.StringTerm(kv[i]), ast.StringTerm(kv[i+1]))
	}
	_, err = e.evalInto(ctx, g, query, obj, out)
	if errors.Is(err, errUndefined) {
		return nil
	}
	return err
}

// required checks a user id: present, not blank, valid text.
func required(ps *model.Problems, field, value string) {
	switch err := model.CheckID(value); {
	case errors.Is(err, model.ErrEmpty):
		ps.Add(field, "is required")
	case err != nil:
		ps.Add(field, "%v", err)
	}
}

func uriField(ps *model.Problems, field, value string) {
	if value == "" {
		ps.Add(field, "is required")
	} else if _, err := model.NormalizeURI(value); err != nil {
		ps.Add(field, "%v", err)
	}
}
