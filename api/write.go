package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/engine/model"
)

// writeParams are what a management write reads besides its body.
type writeParams struct {
	// ifMatch is the version the store must hold (0: none); nil writes
	// whatever is stored. On behalf of a user it becomes the version checked.
	ifMatch *int64
	// actor is the user named by X-Gatehouse-User when onBehalf.
	actor    string
	onBehalf bool
	// force deletes (or turns off canGrantToUsers) despite references.
	force bool
}

func (h *handlers) writeParams(c *gin.Context) (*writeParams, error) {
	ifMatch, err := ifMatchVersion(c)
	if err != nil {
		return nil, err
	}
	actor, onBehalf, err := actorOf(c)
	if err != nil {
		return nil, err
	}
	force, err := forceParam(c)
	if err != nil {
		return nil, err
	}
	if force && onBehalf {
		return nil, newError(http.StatusForbidden, CodeForbidden,
			"force is never used on behalf of a user: without "+UserHeader+", the API key acts with its own rights")
	}
	return &writeParams{ifMatch: ifMatch, actor: actor, onBehalf: onBehalf, force: force}, nil
}

// forceParam reads ?force=true|false; absent is false.
func forceParam(c *gin.Context) (bool, error) {
	values, ok := c.GetQueryArray("force")
	if !ok {
		return false, nil
	}
	if len(values) != 1 || (values[0] != "true" && values[0] != "false") {
		return false, malformed("force must be given once, as true or false")
	}
	return values[0] == "true", nil
}

// write validates, checks and stores the body as the document pathID
// names, or (pathID empty) as a new document.
func (h *handlers) write(c *gin.Context, collection, pathID string) (model.Document, error) {
	w, err := h.writeParams(c)
	if err != nil {
		return nil, err
	}
	doc := model.NewDocument(collection)
	if err := bindJSON(c, doc); err != nil {
		return nil, err
	}
	create := pathID == ""
	if create {
		if w.ifMatch != nil && *w.ifMatch != 0 {
			return nil, newError(http.StatusConflict, CodeConflict, "a created document has no version to match: If-Match must be absent or \"0\"")
		}
		w.ifMatch = new(int64)
	}
	problems, err := assignID(doc, pathID)
	if err != nil {
		return nil, err
	}
	model.ApplyDefaults(doc)
	ctx := c.Request.Context()
	if err := h.checkDoc(doc, problems); err != nil {
		return nil, err
	}
	if w.onBehalf {
		checked, err := h.checkPutFor(ctx, w.actor, collection, doc, create)
		if err != nil {
			return nil, err
		}
		if w.ifMatch, err = conditional(w.ifMatch, checked); err != nil {
			return nil, err
		}
	}
	if !w.force {
		if err := h.roleFlagConflicts(ctx, doc); err != nil {
			return nil, err
		}
	}
	return h.storeWrite(ctx, collection, doc, w.ifMatch, create)
}

// storeWrite writes doc and makes it visible to decisions.
func (h *handlers) storeWrite(ctx context.Context, collection string, doc model.Document, ifMatch *int64, create bool) (model.Document, error) {
	stored, err := h.store.Put(ctx, collection, doc, ifMatch)
	if create && errors.Is(err, model.ErrConflict) {
		return nil, newError(http.StatusConflict, CodeConflict, fmt.Sprintf("%s/%s already exists", collection, doc.DocMeta().ID))
	}
	if err != nil {
		return nil, err
	}
	if err := h.applyWrite(ctx, collection, stored.DocMeta().ID, stored); err != nil {
		return nil, err
	}
	return stored, nil
}

// assignID gives doc the id the path names (a differing _id in the body
// is a problem) or, for a create naming none (neither _id nor, for a
// record, recordId), a generated UUIDv7.
func assignID(doc model.Document, pathID string) ([]model.Problem, error) {
	meta := doc.DocMeta()
	var ps model.Problems
	switch {
	case pathID != "":
		if meta.ID != "" && meta.ID != pathID {
			ps.Add("_id", "is %q but the path names %q", meta.ID, pathID)
		}
		meta.ID = pathID
	case meta.ID == "" && !namesRecordID(doc):
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("generate an id: %w", err)
		}
		meta.ID = id.String()
	}
	return ps.List(), nil
}

func namesRecordID(doc model.Document) bool {
	r, ok := doc.(*model.Record)
	return ok && r.RecordID != ""
}

// checkDoc validates the document, its references and the grant flags of
// the roles it gives, listing every problem in one 422.
func (h *handlers) checkDoc(doc model.Document, problems []model.Problem) error {
	problems = append(problems, doc.Validate()...)
	problems = append(problems, h.referenceProblems(doc)...)
	problems = append(problems, h.grantFlagProblems(doc)...)
	if p, ok := doc.(*model.Policy); ok && len(problems) == 0 {
		problems = append(problems, h.policyProblems(p)...)
	}
	if len(problems) > 0 {
		return newError(http.StatusUnprocessableEntity, CodeInvalid, "the document is invalid", problems...)
	}
	return nil
}

// roleRefs calls f with the field and id of every role doc gives.
func roleRefs(doc model.Document, f func(field, role string)) {
	switch d := doc.(type) {
	case *model.Record:
		for i, st := range d.Statements {
			for j, r := range st.Roles {
				f(fmt.Sprintf("statements[%d].roles[%d]", i, j), r)
			}
		}
	case *model.Membership:
		for j, r := range d.Roles {
			f(fmt.Sprintf("roles[%d]", j), r)
		}
	}
}

// referenceProblems lists roles and extensions named but unknown.
func (h *handlers) referenceProblems(doc model.Document) []model.Problem {
	var ps model.Problems
	need := func(field, collection, id string) {
		if !h.engine.Has(collection, id) {
			ps.Add(field, "unknown %s %q", strings.TrimSuffix(collection, "s"), id)
		}
	}
	roleRefs(doc, func(field, role string) { need(field, model.Roles, role) })
	if in, ok := doc.(*model.Installation); ok {
		need("extensionId", model.Extensions, in.ExtensionID)
	}
	return ps.List()
}

// grantFlagProblems lists roles given to users or groups (every record
// and membership gives to them) whose canGrantToUsers is false. Apps do
// not hold roles yet; the write that gives them roles checks
// canGrantToApps the same way.
func (h *handlers) grantFlagProblems(doc model.Document) []model.Problem {
	var ps model.Problems
	roleRefs(doc, func(field, id string) {
		if r, ok := h.engine.Role(id); ok && !r.GrantsToUsers() {
			ps.Add(field, "role %q has canGrantToUsers false: it never goes to users or groups", id)
		}
	})
	return ps.List()
}

func (h *handlers) policyProblems(p *model.Policy) []model.Problem {
	if err := h.engine.CheckPolicy(p.ID, p.Source); err != nil {
		return []model.Problem{{Field: "source", Message: err.Error()}}
	}
	return nil
}
