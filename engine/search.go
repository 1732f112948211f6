package engine

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Search answers AuthZEN's resource and action searches. Gatehouse keeps
// grants, not a catalogue of resources: the resources it knows are the
// URIs its records and memberships name, with their ancestors. A search
// decides each candidate as Decide would, so its results never disagree
// with an evaluation; what a grant covers beyond the known resources (an
// ancestor or a "*" pattern) is reported separately, never dropped.

// SearchScanLimit bounds the candidates one search page decides; a page
// that reaches it ends early with a cursor, so a page costs at most this
// many decisions.
const SearchScanLimit = 10000

// ResourceSearch asks which known resources one level below Parent the
// subject of Input (Resource unset) may act on with Input.Permission.
type ResourceSearch struct {
	Input  Input
	Parent string // the URI whose children are searched: AuthZEN's resource type
	After  string // the last URI of the previous page; "" from the start
	Limit  int
	Scan   int // candidates one page may decide; 0 is SearchScanLimit
}

// ResourcePage is one page of a resource search. Next is the URI to
// continue after, "" when the search is complete. Covering lists the
// user's grants that reach resources below Parent whether known or not:
// a grant on Parent or above (answered as Parent) and "*" patterns, sorted.
type ResourcePage struct {
	URIs     []string
	Next     string
	Covering []string
}

// SearchResources answers one page of a resource search.
func (e *Engine) SearchResources(ctx context.Context, q ResourceSearch) (ResourcePage, error) {
	if err := inputError(q.problems()); err != nil {
		return ResourcePage{}, err
	}
	g, err := e.current()
	if err != nil {
		return ResourcePage{}, err
	}
	parent, _ := model.NormalizeURI(q.Parent)
	page, err := e.scan(ctx, g, q, g.known(parent))
	if err != nil || q.Input.User == "" {
		return page, err
	}
	page.Covering, err = e.covering(ctx, q.Input.User, q.Input.Permission, parent)
	return page, err
}

func (q ResourceSearch) problems() []model.Problem {
	in := q.Input
	in.Resource = q.Parent
	ps := in.Validate()
	for i := range ps {
		if ps[i].Field == "resource" {
			ps[i].Field = "parent"
		}
	}
	if q.Limit < 1 {
		ps = append(ps, model.Problem{Field: "limit", Message: "must be at least 1"})
	}
	if q.Scan < 0 {
		ps = append(ps, model.Problem{Field: "scan", Message: "must not be negative"})
	}
	return ps
}

// scan decides the children after q.After in order until it has Limit
// allowed ones and knows whether another follows.
func (e *Engine) scan(ctx context.Context, g *generation, q ResourceSearch, children []string) (ResourcePage, error) {
	start, _ := slices.BinarySearch(children, q.After)
	if start < len(children) && children[start] == q.After {
		start++
	}
	budget := cmp.Or(q.Scan, SearchScanLimit)
	page := ResourcePage{URIs: []string{}}
	for i, uri := range children[start:] {
		if i == budget {
			page.Next = children[start+i-1]
			return page, nil
		}
		in := q.Input
		in.Resource = uri
		allowed, err := e.allows(ctx, g, in)
		if err != nil {
			return ResourcePage{}, err
		}
		if !allowed {
			continue
		}
		if len(page.URIs) == q.Limit {
			page.Next = page.URIs[len(page.URIs)-1]
			return page, nil
		}
		page.URIs = append(page.URIs, uri)
	}
	return page, nil
}

// covering lists the user's grants for permission that reach resources
// below parent beyond the known ones: the lookup answers a grant covering
// parent as parent itself, and keeps "*" patterns inside it.
func (e *Engine) covering(ctx context.Context, user, permission, parent string) ([]string, error) {
	uris, err := e.Resources(ctx, user, permission, parent)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, u := range uris {
		if u == parent || strings.Contains(u, "*") {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out, nil
}

// SearchActions lists the actions the subject of in (Permission unset)
// may take on in.Resource: each action a role of the user's names on the
// resource (patterns such as "read:*" as written), kept when Decide
// allows it, sorted. Only a user subject, optionally through an
// installation, can be searched: roles name actions, installations and
// apps have no roles of their own to list.
func (e *Engine) SearchActions(ctx context.Context, in Input) ([]string, error) {
	var ps []model.Problem
	for _, p := range in.Validate() {
		if p.Field != "permission" {
			ps = append(ps, p)
		}
	}
	if in.User == "" || in.App != "" {
		ps = append(ps, model.Problem{Field: "user", Message: "an action search needs a user subject"})
	}
	if err := inputError(ps); err != nil {
		return nil, err
	}
	g, err := e.current()
	if err != nil {
		return nil, err
	}
	held, err := e.Permissions(ctx, in.User, in.Resource)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, p := range held {
		in.Permission = p.Action
		allowed, err := e.allows(ctx, g, in)
		if err != nil {
			return nil, err
		}
		if allowed {
			out = append(out, p.Action)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// allows answers one candidate of a search as Decide would, over the
// search's generation, without the decision cache (a page would evict real
// decisions) or the decision log (nobody asked these questions).
func (e *Engine) allows(ctx context.Context, g *generation, in Input) (bool, error) {
	if len(in.Validate()) > 0 {
		return false, nil // a candidate action Decide would refuse is not one the user may take
	}
	d, err := e.evaluate(ctx, g, in, time.Now().UnixNano())
	return d.Allowed, err
}

// knownResources maps each known URI to its children (the next segment
// down), sorted: built once per generation, on the first search.
type knownResources struct {
	once     sync.Once
	children map[string][]string
}

// known returns parent's known children, sorted.
func (g *generation) known(parent string) []string {
	g.resources.once.Do(func() { g.resources.children = childrenOf(g.view) })
	return g.resources.children[parent]
}

// childrenOf indexes every concrete grant resource and its ancestors by
// parent. A "*" pattern names no resource and adds nothing.
func childrenOf(v *index.View) map[string][]string {
	sets := map[string]map[string]struct{}{}
	v.EachGrant(func(t *index.Grant) {
		if t.Pattern != nil {
			return
		}
		for i := strings.IndexByte(t.Resource, '/'); i >= 0; {
			parent := t.Resource[:i]
			next := strings.IndexByte(t.Resource[i+1:], '/')
			child := t.Resource
			if next >= 0 {
				child = t.Resource[:i+1+next]
			}
			if sets[parent] == nil {
				sets[parent] = map[string]struct{}{}
			}
			sets[parent][child] = struct{}{}
			if next < 0 {
				break
			}
			i += 1 + next
		}
	})
	out := make(map[string][]string, len(sets))
	for parent, set := range sets {
		kids := make([]string, 0, len(set))
		for k := range set {
			kids = append(kids, k)
		}
		slices.Sort(kids)
		out[parent] = kids
	}
	return out
}
