package engine

import (
	"context"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
)

// AccessPath is one way a user holds a permission (see index.AccessPath).
type AccessPath = index.AccessPath

// UserAccess is a user and the paths through which they hold it.
type UserAccess = index.UserAccess

// WhoQuery asks who holds Permission on Resource (with Grant, who may
// grant it), one page of users after the user id After, at most Limit
// (0: every user).
type WhoQuery struct {
	Resource, Permission string
	Grant                bool
	After                string
	Limit                int
}

// WhoPage is one page of users, sorted by id. Next is the After of
// the following page; empty on the last.
type WhoPage struct {
	Users []UserAccess
	Next  string
}

// Problems lists every problem with the query.
func (q WhoQuery) Problems() []model.Problem {
	var ps model.Problems
	uriField(&ps, "resource", q.Resource)
	if q.Permission == "" {
		ps.Add("permission", "is required")
	} else if _, err := model.ActionSegments(q.Permission); err != nil {
		ps.Add("permission", "%v", err)
	}
	if q.Limit < 0 {
		ps.Add("limit", "must not be negative")
	}
	return ps.List()
}

// WhoHasAccess lists the users holding the permission on the resource,
// directly, through groups and memberships, through "*" patterns and
// ancestors, each with how. It is answered natively over the reverse
// index; with Options.RegoDecisions, by data.gatehouse.lookup.users (the
// definition, which the differential test holds equal). It returns an
// *InvalidInputError for a bad query and ErrNotReady before Load.
func (e *Engine) WhoHasAccess(ctx context.Context, q WhoQuery) (WhoPage, error) {
	if err := inputError(q.Problems()); err != nil {
		return WhoPage{}, err
	}
	g, err := e.current()
	if err != nil {
		return WhoPage{}, err
	}
	if e.regoDecisions {
		return e.whoHasAccessRego(ctx, g, q)
	}
	users, more := g.view.WhoHasAccess(index.WhoQuery{Resource: q.Resource, Permission: q.Permission, Grant: q.Grant}, q.After, q.Limit, time.Now().UnixNano())
	return accessPage(users, more), nil
}

// whoHasAccessRego evaluates the Rego definition and cuts the page.
func (e *Engine) whoHasAccessRego(ctx context.Context, g *generation, q WhoQuery) (WhoPage, error) {
	var all []UserAccess
	if _, err := e.evalInto(ctx, g, UsersQuery, accessInput(q), &all); err != nil {
		return WhoPage{}, err
	}
	start := 0
	for start < len(all) && all[start].User <= q.After {
		start++
	}
	users := all[start:]
	more := q.Limit > 0 && len(users) > q.Limit
	if more {
		users = users[:q.Limit]
	}
	for i := range users {
		users[i].Via = index.SortPaths(users[i].Via)
	}
	return accessPage(users, more), nil
}

func accessPage(users []UserAccess, more bool) WhoPage {
	p := WhoPage{Users: users}
	if p.Users == nil {
		p.Users = []UserAccess{}
	}
	if more {
		p.Next = users[len(users)-1].User
	}
	return p
}

// accessInput is the input of data.gatehouse.lookup.users.
func accessInput(q WhoQuery) ast.Value {
	return ast.NewObject(
		ast.Item(ast.InternedTerm("resource"), ast.StringTerm(q.Resource)),
		ast.Item(ast.InternedTerm("permission"), ast.StringTerm(q.Permission)),
		ast.Item(ast.InternedTerm("grant"), ast.BooleanTerm(q.Grant)),
	)
}
