package authzen

import (
	"strings"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The subject types an evaluation may name.
const (
	SubjectUser         = "user"
	SubjectInstallation = "installation"
	SubjectApp          = "app"
)

// Property names the mapping reads.
const (
	// PropInstallation in subject.properties lets a user act through an
	// installation (Input.Installation).
	PropInstallation = "installation"
	// PropURI in resource.properties gives the resource URI directly.
	PropURI = "uri"
	// ContextTenant in context names the tenant an app subject acts in.
	ContextTenant = "tenant"
)

// withDefaults returns e with every absent entity taken from def, whole:
// the spec's defaults replace an entity, they do not merge its fields.
func withDefaults(e, def Evaluation) Evaluation {
	if e.Subject == nil {
		e.Subject = def.Subject
	}
	if e.Action == nil {
		e.Action = def.Action
	}
	if e.Resource == nil {
		e.Resource = def.Resource
	}
	if e.Context == nil {
		e.Context = def.Context
	}
	return e
}

// Input maps the evaluation e to the engine's decision input and lists
// every problem with it, named by the AuthZEN field:
//
//	subject {type: user, id}            → User (subject.properties.installation → Installation)
//	subject {type: installation, id}    → Installation
//	subject {type: app, id}             → App, with Tenant from context.tenant
//	resource {type, id}                 → Resource "type/id" (resource.properties.uri wins)
//	action {name}                       → Permission
//
// context is accepted; only context.tenant is read, for an app subject.
func Input(e Evaluation) (engine.Input, []model.Problem) {
	var in engine.Input
	var ps model.Problems
	subject(&ps, e.Subject, &in)
	if in.App != "" {
		in.Tenant = tenant(&ps, e.Context)
	}
	in.Resource = resource(&ps, e.Resource)
	if e.Action == nil {
		ps.Add("action", "is required")
	} else if in.Permission = e.Action.Name; strings.TrimSpace(in.Permission) == "" {
		ps.Add("action.name", "is required")
	}
	if len(ps.List()) > 0 {
		return in, ps.List()
	}
	for _, p := range in.Validate() {
		p.Field = inputField(p.Field, e)
		ps.Add(p.Field, "%s", p.Message)
	}
	return in, ps.List()
}

// subject maps the subject into in.
func subject(ps *model.Problems, s *Subject, in *engine.Input) {
	if s == nil {
		ps.Add("subject", "is required")
		return
	}
	if strings.TrimSpace(s.ID) == "" {
		ps.Add("subject.id", "is required")
	}
	switch s.Type {
	case SubjectUser:
		in.User = s.ID
		if v, ok := s.Properties[PropInstallation]; ok {
			id, isString := v.(string)
			if !isString || strings.TrimSpace(id) == "" {
				ps.Add("subject.properties.installation", "must be a non-blank string when given")
			}
			in.Installation = id
		}
	case SubjectInstallation:
		in.Installation = s.ID
	case SubjectApp:
		in.App = s.ID
	case "":
		ps.Add("subject.type", "is required")
	default:
		ps.Add("subject.type", "is %q, want one of %s, %s, %s", s.Type, SubjectUser, SubjectInstallation, SubjectApp)
	}
}

// tenant reads context.tenant, which an app subject needs.
func tenant(ps *model.Problems, ctx map[string]any) string {
	t, ok := ctx[ContextTenant].(string)
	if !ok || strings.TrimSpace(t) == "" {
		ps.Add("context.tenant", "is required, a non-blank string, for an app subject")
	}
	return t
}

// resource maps the resource to a URI.
func resource(ps *model.Problems, r *Resource) string {
	if r == nil {
		ps.Add("resource", "is required")
		return ""
	}
	if strings.TrimSpace(r.Type) == "" {
		ps.Add("resource.type", "is required")
	}
	if strings.TrimSpace(r.ID) == "" {
		ps.Add("resource.id", "is required")
	}
	if v, ok := r.Properties[PropURI]; ok {
		uri, isString := v.(string)
		if !isString || strings.TrimSpace(uri) == "" {
			ps.Add("resource.properties.uri", "must be a non-blank string when given")
		}
		return uri
	}
	return r.Type + "/" + r.ID
}

// inputField names the AuthZEN field behind a field of engine.Input.
func inputField(field string, e Evaluation) string {
	switch field {
	case "user":
		return "subject.id"
	case "installation":
		if e.Subject.Type == SubjectUser {
			return "subject.properties.installation"
		}
		return "subject.id"
	case "resource":
		if _, ok := e.Resource.Properties[PropURI]; ok {
			return "resource.properties.uri"
		}
		return "resource"
	case "permission":
		return "action.name"
	case "app":
		return "subject.id"
	case "tenant":
		return "context.tenant"
	}
	return field
}

// answer renders an engine decision: a deny's context names what denied
// it, an allow's lists the reasons; both carry the decision id and the
// revision it saw.
func answer(d engine.Decision) Decision {
	ctx := &DecisionContext{DecisionID: d.DecisionID, Revision: d.Revision}
	if !d.Allowed {
		if d.DeniedBy != nil {
			ctx.DeniedBy = *d.DeniedBy
		}
		return Decision{Decision: false, Context: ctx}
	}
	for _, r := range d.Reasons {
		ctx.Reasons = append(ctx.Reasons, r)
	}
	return Decision{Decision: true, Context: ctx}
}
