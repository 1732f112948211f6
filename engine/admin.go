package engine

import (
	"context"
	"errors"
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Given is a role given on a resource by a record, membership or group.
type Given struct {
	Role     string `json:"role"`
	Resource string `json:"resource"`
}

// Missing is one thing a user lacks to make a change.
type Missing struct {
	Role     string `json:"role,omitempty"`
	Action   string `json:"action"`
	Resource string `json:"resource"`
	Needs    string `json:"needs"` // one of the Needs constants
}

// What a Missing item needs. A role that does not exist or is inactive
// has no permissions to check, so giving it can never be verified: the
// item names the role with no action.
const (
	NeedsGrant      = "grant"
	NeedsDelegate   = "delegate"
	NeedsAllow      = "allow"
	NeedsKnownRole  = "known role"
	NeedsActiveRole = "active role"
)

// MissingToGive lists what user lacks to give these roles on these
// resources: for every role that does not exist or is inactive, one item
// naming it; for the others, each permission the user may not hand out.
func (e *Engine) MissingToGive(ctx context.Context, user string, given []Given) ([]Missing, error) {
	unverifiable := e.unverifiableRoles(given)
	items := make([]*ast.Term, len(given))
	for i, g := range given {
		items[i] = ast.ObjectTerm(
			ast.Item(ast.StringTerm("role"), ast.StringTerm(g.Role)),
			ast.Item(ast.StringTerm("resource"), ast.StringTerm(g.Resource)),
		)
	}
	input := ast.NewObject(
		ast.Item(ast.StringTerm("user"), ast.StringTerm(user)),
		ast.Item(ast.StringTerm("grants"), ast.ArrayTerm(items...)),
	)
	missing, err := e.missing(ctx, MissingToGiveQuery, input)
	if err != nil {
		return nil, err
	}
	return append(unverifiable, missing...), nil
}

// unverifiableRoles returns one item per role given that the current view
// does not hold or holds inactive, in the order first given.
func (e *Engine) unverifiableRoles(given []Given) []Missing {
	var v *index.View
	if g := e.gen.Load(); g != nil {
		v = g.view
	}
	var out []Missing
	seen := map[string]bool{}
	for _, g := range given {
		if seen[g.Role] {
			continue
		}
		seen[g.Role] = true
		var exists, active bool
		if v != nil {
			exists, active = v.RoleState(g.Role)
		}
		switch {
		case !exists:
			out = append(out, Missing{Role: g.Role, Resource: g.Resource, Needs: NeedsKnownRole})
		case !active:
			out = append(out, Missing{Role: g.Role, Resource: g.Resource, Needs: NeedsActiveRole})
		}
	}
	return out
}

// MissingToInstall lists what user lacks to install an extension into
// context consenting to the given actions.
func (e *Engine) MissingToInstall(ctx context.Context, user, context string, consented []string) ([]Missing, error) {
	items := make([]*ast.Term, 0, len(consented))
	for _, a := range consented {
		segs, err := model.PatternSegments(a)
		if err != nil {
			return nil, err
		}
		items = append(items, ast.ObjectTerm(
			ast.Item(ast.StringTerm("action"), ast.StringTerm(a)),
			ast.Item(ast.StringTerm("segs"), index.StringsTerm(segs)),
		))
	}
	input := ast.NewObject(
		ast.Item(ast.StringTerm("user"), ast.StringTerm(user)),
		ast.Item(ast.StringTerm("context"), ast.StringTerm(context)),
		ast.Item(ast.StringTerm("consented"), ast.ArrayTerm(items...)),
	)
	return e.missing(ctx, MissingToInstallQuery, input)
}

func (e *Engine) missing(ctx context.Context, query string, input ast.Value) ([]Missing, error) {
	g, err := e.current()
	if err != nil {
		return nil, err
	}
	out := []Missing{}
	if _, err := e.evalInto(ctx, g, query, input, &out); err != nil && !errors.Is(err, errUndefined) {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Action < b.Action
	})
	return out, nil
}

// GroupGrants lists the roles and resources a group receives from active
// records, which adding a member hands to that member.
func (e *Engine) GroupGrants(group string) []Given {
	g := e.gen.Load()
	if g == nil {
		return nil
	}
	grants := g.view.GroupGrants(group)
	if grants == nil {
		return nil
	}
	out := make([]Given, len(grants))
	for i, t := range grants {
		out[i] = Given{Role: t.Role, Resource: t.Resource}
	}
	return out
}

// RecordGives lists the roles and resources a record gives; with group
// set, only through statements that name that group.
func RecordGives(r *model.Record, group string) []Given {
	var out []Given
	for _, st := range r.Statements {
		_, groups := r.Principals(&st)
		if group != "" && !slices.ContainsFunc(groups, func(g model.GroupRef) bool { return g.GroupID == group }) {
			continue
		}
		for _, role := range st.Roles {
			for _, res := range st.Resources {
				out = append(out, Given{Role: role, Resource: res.ResourceURI})
			}
		}
	}
	return out
}

// MembershipGives lists the roles a membership gives on its context.
func MembershipGives(m *model.Membership) []Given {
	out := make([]Given, len(m.Roles))
	for i, r := range m.Roles {
		out[i] = Given{Role: r, Resource: m.Context}
	}
	return out
}
