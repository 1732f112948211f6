package engine

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The lookups' types live with the native lookups (engine/index).
type (
	// HeldPermission is an action a user holds on a resource, flags merged.
	HeldPermission = index.HeldPermission
	// UserMembership is a membership reaching a context.
	UserMembership = index.UserMembership
	// AccessGrant is one grant of a user's access map.
	AccessGrant = index.AccessGrant
)

// AccessPage is one page of a user's access map. Next is the cursor to
// pass as after for the following page; "" on the last page.
type AccessPage struct {
	Grants []AccessGrant
	Next   string
}

// Each lookup is answered natively over the view when no custom policy
// declares hook rules (as decisions are, see evaluate) and Options.RegoLookups
// is off; otherwise by its Rego entrypoint. Both answer the same
// (lookup_internal_test.go). Each returns an *InvalidInputError listing
// every problem with its input, and ErrNotReady before the first Load.

// Permissions lists what user holds on resource.
func (e *Engine) Permissions(ctx context.Context, user, resource string) ([]HeldPermission, error) {
	var ps model.Problems
	required(&ps, "user", user)
	uriField(&ps, "resource", resource)
	if err := inputError(ps.List()); err != nil {
		return nil, err
	}
	g, err := e.current()
	if err != nil {
		return nil, err
	}
	if e.nativeLookups(g) {
		return g.view.Permissions(user, resource, time.Now().UnixNano()), nil
	}
	out := []HeldPermission{}
	err = e.lookup(ctx, g, PermissionsQuery, &out, "user", user, "resource", resource)
	return out, err
}

// Resources lists the grant patterns through which user holds permission,
// restricted to prefix when it is not empty, sorted.
func (e *Engine) Resources(ctx context.Context, user, permission, prefix string) ([]string, error) {
	if err := inputError(ResourcesProblems(user, permission, prefix)); err != nil {
		return nil, err
	}
	g, err := e.current()
	if err != nil {
		return nil, err
	}
	if e.nativeLookups(g) {
		return g.view.Resources(user, permission, prefix, time.Now().UnixNano()), nil
	}
	out := []string{}
	err = e.lookup(ctx, g, ResourcesQuery, &out, "user", user, "permission", permission, "prefix", prefix)
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
	g, err := e.current()
	if err != nil {
		return nil, err
	}
	if e.nativeLookups(g) {
		return g.view.Memberships(user, context, time.Now().UnixNano()), nil
	}
	out := []UserMembership{}
	err = e.lookup(ctx, g, MembershipsQuery, &out, "user", user, "context", context)
	return out, err
}

// Access returns one page of user's access map (data.gatehouse.lookup.access):
// at most limit grants following the cursor after ("" for the first page),
// sorted by resource, kind, id, group, then role.
func (e *Engine) Access(ctx context.Context, user, after string, limit int) (AccessPage, error) {
	ps := AccessProblems(user, after)
	if limit < 1 {
		ps = append(ps, model.Problem{Field: "limit", Message: "must be at least 1"})
	}
	if err := inputError(ps); err != nil {
		return AccessPage{}, err
	}
	g, err := e.current()
	if err != nil {
		return AccessPage{}, err
	}
	key, _ := accessKey(after)
	var list []AccessGrant
	var more bool
	if e.nativeLookups(g) {
		list, more = g.view.Access(user, time.Now().UnixNano(), key, limit)
	} else {
		all := []AccessGrant{}
		if err := e.lookup(ctx, g, AccessQuery, &all, "user", user); err != nil {
			return AccessPage{}, err
		}
		list, more = index.AccessAfter(all, key, limit)
	}
	page := AccessPage{Grants: list}
	if more {
		page.Next = accessCursor(&list[len(list)-1])
	}
	return page, nil
}

// AccessProblems lists every problem with the user and cursor of Access.
func AccessProblems(user, after string) []model.Problem {
	var ps model.Problems
	required(&ps, "user", user)
	if _, err := accessKey(after); err != nil {
		ps.Add("cursor", "is not a cursor this server issued")
	}
	return ps.List()
}

// accessCursor is the cursor after g: its sort key as a JSON array.
func accessCursor(g *AccessGrant) string {
	raw, _ := json.Marshal([]string{g.Resource, g.Kind, g.ID, g.Group, g.Role})
	return string(raw)
}

// accessKey reads a cursor of accessCursor; nil for "".
func accessKey(after string) (*AccessGrant, error) {
	if after == "" {
		return nil, nil
	}
	var k []string
	if err := json.Unmarshal([]byte(after), &k); err != nil || len(k) != 5 {
		return nil, errors.New("engine: not an access cursor")
	}
	return &AccessGrant{Resource: k[0], Kind: k[1], ID: k[2], Group: k[3], Role: k[4]}, nil
}

// nativeLookups reports whether g's lookups run natively.
func (e *Engine) nativeLookups(g *generation) bool { return g.policies.Native && !e.regoLookups }

// lookup evaluates a lookup entrypoint with string key/value pairs as input.
func (e *Engine) lookup(ctx context.Context, g *generation, query string, out any, kv ...string) error {
	obj := ast.NewObject()
	for i := 0; i+1 < len(kv); i += 2 {
		obj.Insert(ast.StringTerm(kv[i]), ast.StringTerm(kv[i+1]))
	}
	_, err := e.evalInto(ctx, g, query, obj, out)
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
