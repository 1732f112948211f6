package writes

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes/writestest"
)

var _ Store = (*writestest.Store)(nil)

// fakeEngine answers from fixed data: known ids, roles, what users lack
// (by user), and a policy compile error. applyErr fails Apply; applied
// records what Apply was given.
type fakeEngine struct {
	known     map[string]bool // "collection/id"
	roles     map[string]model.Role
	lacking   map[string][]engine.Missing // by user
	policyErr error
	applyErr  error
	applied   []engine.Change
	allowed   map[string]bool // "user resource permission" Decide allows
}

var _ Engine = (*fakeEngine)(nil)

func (e *fakeEngine) Has(collection, id string) bool { return e.known[collection+"/"+id] }

func (e *fakeEngine) Role(id string) (model.Role, bool) {
	r, ok := e.roles[id]
	return r, ok
}

func (e *fakeEngine) GroupGrants(string) []engine.Given { return nil }

func (e *fakeEngine) CheckPolicy(string, string) error { return e.policyErr }

func (e *fakeEngine) MissingToGive(_ context.Context, user string, _ []engine.Given) ([]engine.Missing, error) {
	return e.lacking[user], nil
}

func (e *fakeEngine) MissingToInstall(_ context.Context, user, _ string, _ []string) ([]engine.Missing, error) {
	return e.lacking[user], nil
}

func (e *fakeEngine) Apply(_ context.Context, changes []engine.Change) (uint64, error) {
	if e.applyErr != nil {
		return 0, e.applyErr
	}
	e.applied = append(e.applied, changes...)
	return uint64(len(e.applied)), nil
}

func (e *fakeEngine) Decide(_ context.Context, in engine.Input) (engine.Decision, error) {
	return engine.Decision{Allowed: e.allowed[in.User+" "+in.Resource+" "+in.Permission]}, nil
}

var errCompile = errors.New("rego_parse_error: unexpected eof")
