package engine

import (
	"context"

	"github.com/gatehouse/gatehouse/engine/index"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Export is one consistent copy of what the engine evaluates: the index
// document, the policy modules (no tests) and the revision they belong to.
type Export struct {
	Revision uint64
	Index    map[string]any
	Modules  map[string]string

	view *index.View
}

// TenantIndex renders the part of the index that decisions on the
// tenant's resources (URIs under tenants/{tenant}) can use; see
// index.View.Within.
func (ex Export) TenantIndex(tenant string) map[string]any {
	if ex.view == nil {
		return map[string]any{}
	}
	return ex.view.Within([]string{"tenants", tenant}).JSON()
}

// Export copies the current index and modules, both of one generation.
func (e *Engine) Export(context.Context) (Export, error) {
	g, err := e.current()
	if err != nil {
		return Export{}, err
	}
	return Export{Revision: g.view.Rev(), Index: g.view.JSON(), Modules: g.policies.Modules(), view: g.view}, nil
}

// BuildIndex turns a snapshot into the document served at
// data.gatehouse.index (see index.BuildIndex).
func BuildIndex(s *model.Snapshot) map[string]any { return index.BuildIndex(s) }
