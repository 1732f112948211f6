package index

import (
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Rendering a View as the index document OPA reads (see README, "The data
// layout the policies read"), as AST values so topdown takes them as they
// are.

// Top-level keys of the index document at data.gatehouse.index.
const (
	keyRoles         = "roles"
	keyUsers         = "users"
	keyGroups        = "groups"
	keyApps          = "apps"
	keyInstallations = "installations"
	keyExtensions    = "extensions"
)

// BuildIndex turns a snapshot into the document served at
// data.gatehouse.index: grants keyed by the user, group or app
// (onboarding id tenantId/appId) a decision starts from, roles keyed by id with pre-parsed actions, installations and
// extensions by id. Deleted records are left out; expiry stays in the grant
// because it is checked against the decision time.
func BuildIndex(s *model.Snapshot) map[string]any {
	_, v := Build(s, 0)
	return v.JSON()
}

// Root renders data.gatehouse.
func (v *View) Root() ast.Value {
	return ast.NewObject(
		ast.Item(ast.InternedTerm("index"), ast.NewTerm(v.Document())),
		ast.Item(ast.InternedTerm("revision"), ast.NewTerm(ast.Number(strconv.FormatUint(v.rev, 10)))),
	)
}

// Document renders the whole index.
func (v *View) Document() ast.Value {
	out := ast.NewObject()
	for _, key := range []string{keyUsers, keyGroups, keyApps, keyRoles, keyInstallations, keyExtensions, keyRoutes} {
		out.Insert(ast.InternedTerm(key), ast.NewTerm(v.Collection(key)))
	}
	return out
}

// JSON renders the whole index as plain Go values, for JSON.
func (v *View) JSON() map[string]any {
	doc, err := ast.JSON(v.Document())
	if err != nil {
		panic(err) // the index holds only strings, numbers, arrays and objects
	}
	return doc.(map[string]any)
}

// Collection renders one collection of the index; nil for another key.
func (v *View) Collection(key string) ast.Value {
	switch key {
	case keyUsers:
		return entries(&v.users, (*principal).value)
	case keyGroups:
		return entries(&v.groups, (*principal).value)
	case keyApps:
		return entries(&v.apps, (*principal).value)
	case keyRoles:
		return entries(&v.roles, func(r *roleView) ast.Value { return r.value })
	case keyInstallations:
		return entries(&v.installations, (*installationView).value)
	case keyExtensions:
		return entries(&v.extensions, func(x *extensionView) ast.Value { return x.value })
	case keyRoutes:
		return entries(&v.routes, func(r *tenantRoutes) ast.Value { return r.value })
	}
	return nil
}

// Entry renders one entry of a collection; nil when absent.
func (v *View) Entry(key, id string) ast.Value {
	switch key {
	case keyUsers:
		return entry(&v.users, id, (*principal).value)
	case keyGroups:
		return entry(&v.groups, id, (*principal).value)
	case keyApps:
		return entry(&v.apps, id, (*principal).value)
	case keyRoles:
		return entry(&v.roles, id, func(r *roleView) ast.Value { return r.value })
	case keyInstallations:
		return entry(&v.installations, id, (*installationView).value)
	case keyExtensions:
		return entry(&v.extensions, id, func(x *extensionView) ast.Value { return x.value })
	case keyRoutes:
		return entry(&v.routes, id, func(r *tenantRoutes) ast.Value { return r.value })
	}
	return nil
}

func entry[T any](s *shards[*T], id string, render func(*T) ast.Value) ast.Value {
	if x, ok := s.get(id); ok {
		return render(x)
	}
	return nil
}

func entries[T any](s *shards[T], render func(T) ast.Value) ast.Value {
	out := ast.NewObject()
	s.each(func(k string, v T) { out.Insert(ast.StringTerm(k), ast.NewTerm(render(v))) })
	return out
}

// value renders a principal (user, group or app): by_prefix lists of
// grant tuples (see Grant.Term), and for users their groups. Grants are sorted by key, so each list is a run.
func (p *principal) value() ast.Value {
	byPrefix := ast.NewObject()
	for i := 0; i < len(p.grants); {
		key := p.grants[i].key()
		var list []*ast.Term
		for ; i < len(p.grants) && p.grants[i].key() == key; i++ {
			list = append(list, p.grants[i].Term())
		}
		byPrefix.Insert(ast.StringTerm(key), ast.ArrayTerm(list...))
	}
	out := ast.NewObject(ast.Item(ast.InternedTerm("by_prefix"), ast.NewTerm(byPrefix)))
	if p.user {
		out.Insert(ast.InternedTerm("groups"), StringsTerm(p.groups))
	}
	return out
}

// value renders the installation's entry; there are many installations,
// so entries are not kept.
func (in *installationView) value() ast.Value {
	resources := make([]*ast.Term, len(in.resources))
	for i, r := range in.resources {
		resources[i] = ast.ObjectTerm(
			ast.Item(ast.InternedTerm("resource"), ast.StringTerm(r.resource)),
			ast.Item(ast.InternedTerm("segs"), StringsTerm(r.segs)),
		)
	}
	return ast.NewObject(
		ast.Item(ast.InternedTerm("extension"), ast.StringTerm(in.extension)),
		ast.Item(ast.InternedTerm("status"), ast.StringTerm(in.status)),
		ast.Item(ast.InternedTerm("resources"), ast.ArrayTerm(resources...)),
		ast.Item(ast.InternedTerm("consented"), segsTerm(in.consented)),
	)
}

// StringsTerm renders strings as a Rego array.
func StringsTerm(ss []string) *ast.Term {
	terms := make([]*ast.Term, len(ss))
	for i, s := range ss {
		terms[i] = ast.StringTerm(s)
	}
	return ast.ArrayTerm(terms...)
}

func segsTerm(list [][]string) *ast.Term {
	terms := make([]*ast.Term, len(list))
	for i, segs := range list {
		terms[i] = StringsTerm(segs)
	}
	return ast.ArrayTerm(terms...)
}
