// Package writes owns a management write from end to end: validate the
// document, check what it references, check the actor's rights when the
// write is made on behalf of a user, write it to the store conditionally,
// and apply it to the engine so decisions see it before the caller hears
// back. It states one answer for a write that is stored but could not be
// applied (Result.Pending).
//
// It uses the engine's exported API and a Store defined here; it must not
// import Gin, net/http or the MongoDB driver, and nothing under engine/
// imports it. The HTTP handlers in api bind a request, call a Service and
// render its Result or error.
package writes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Store is where management writes go. Implementations return errors
// wrapping model.ErrNotFound when a document is absent, model.ErrConflict
// when ifMatch (or a concurrent writer) disagrees with the stored version
// (ifMatch 0: the document must not exist; nil: any version), and
// engine.ErrStoreUnavailable when the store cannot be reached in time. Put
// returns the document as stored, with its new version; Delete returns the
// document it removed.
type Store interface {
	Get(ctx context.Context, collection, id string) (model.Document, error)
	List(ctx context.Context, collection, after string, limit int) ([]model.Document, error)
	Put(ctx context.Context, collection string, doc model.Document, ifMatch *int64) (model.Document, error)
	Delete(ctx context.Context, collection, id string, ifMatch *int64) (model.Document, error)
	// Batch makes the writes in order, stopping at the first that fails,
	// and logs them as one change; it returns the documents stored by
	// the writes made (nil for a delete), in order.
	Batch(ctx context.Context, writes []model.Write) ([]model.Document, error)
}

// Engine is what a write reads from the engine and hands to it. Has, Role
// and GroupGrants read the loaded data; CheckPolicy returns the compiler's
// error for a custom policy that does not compile with the model; the
// Missing* checks list what a user lacks; Apply returns an error when the
// changes could not be made visible (engine.ErrNotReady before the first
// load).
type Engine interface {
	Has(collection, id string) bool
	Role(id string) (model.Role, bool)
	GroupGrants(group string) []engine.Given
	CheckPolicy(id, source string) error
	MissingToGive(ctx context.Context, user string, given []engine.Given) ([]engine.Missing, error)
	MissingToInstall(ctx context.Context, user, context string, consented []string) ([]engine.Missing, error)
	Apply(ctx context.Context, changes []engine.Change) (uint64, error)
	Decide(ctx context.Context, in engine.Input) (engine.Decision, error)
}

var _ Engine = (*engine.Engine)(nil)

// Options are what a write takes besides the document.
type Options struct {
	// IfMatch is the version the store must hold (0: none); nil writes
	// whatever is stored. On behalf of a user it must equal the version
	// the check read.
	IfMatch *int64
	// Actor names the user the write is made on behalf of; empty, the
	// caller acts with its own rights.
	Actor string
	// Force deletes (or turns off canGrantToUsers) despite references.
	// It is never used on behalf of a user.
	Force bool
}

// Check refuses options that never go together.
func (o Options) Check() error {
	if o.Force && o.Actor != "" {
		return forbiddenError("force is never used on behalf of a user")
	}
	return nil
}

// Result is the outcome of a stored write.
type Result struct {
	// Doc is the document as stored; nil for a delete.
	Doc model.Document
	// Pending is set when the write is stored but this server could not
	// apply it: decisions see it once the syncer reads it back from the
	// store (its next poll, change event or full resync).
	Pending bool
}

// Service makes management writes. It is safe for concurrent use.
type Service struct {
	engine Engine
	store  Store
	log    *slog.Logger
	// onboarding serializes this service's onboardings: each reads what
	// is onboarded, plans and writes, and two at once could plan on the
	// same state. Across servers, conditional writes catch the race.
	onboarding sync.Mutex
}

// New returns a Service writing to store and applying to eng.
func New(eng Engine, store Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{engine: eng, store: store, log: log}
}

// Create stores doc as a new document under the id it names (_id, or
// recordId for records) or a generated UUIDv7. An id already taken is a
// conflict; so is an IfMatch other than 0.
func (s *Service) Create(ctx context.Context, collection string, doc model.Document, o Options) (Result, error) {
	if o.IfMatch != nil && *o.IfMatch != 0 {
		return Result{}, conflict("a created document has no version to match: If-Match must be absent or \"0\"")
	}
	o.IfMatch = new(int64)
	return s.put(ctx, collection, "", doc, o)
}

// Replace creates or replaces the document collection/id; a differing _id
// in doc is a problem.
func (s *Service) Replace(ctx context.Context, collection, id string, doc model.Document, o Options) (Result, error) {
	return s.put(ctx, collection, id, doc, o)
}

// put validates, checks and stores doc as pathID (empty: a create).
func (s *Service) put(ctx context.Context, collection, pathID string, doc model.Document, o Options) (Result, error) {
	if err := o.Check(); err != nil {
		return Result{}, err
	}
	create := pathID == ""
	problems, err := assignID(doc, pathID)
	if err != nil {
		return Result{}, err
	}
	if err := s.onboardingOwned(ctx, collection, doc); err != nil {
		return Result{}, err
	}
	model.ApplyDefaults(doc)
	if err := s.checkDoc(doc, problems); err != nil {
		return Result{}, err
	}
	if o.Actor != "" {
		checked, err := s.checkPutFor(ctx, o.Actor, collection, doc, create)
		if err != nil {
			return Result{}, err
		}
		if o.IfMatch, err = conditional(o.IfMatch, checked); err != nil {
			return Result{}, err
		}
	}
	if !o.Force {
		if err := s.roleFlagConflicts(ctx, doc); err != nil {
			return Result{}, err
		}
	}
	stored, err := s.store.Put(ctx, collection, doc, o.IfMatch)
	if create && errors.Is(err, model.ErrConflict) {
		return Result{}, alreadyExists(collection, doc.DocMeta().ID)
	}
	if err != nil {
		return Result{}, err
	}
	return s.apply(ctx, collection, stored.DocMeta().ID, stored), nil
}

// Delete removes collection/id: on behalf of a user only if they may take
// back what it gives, and unless forced only while nothing names it.
func (s *Service) Delete(ctx context.Context, collection, id string, o Options) (Result, error) {
	if err := o.Check(); err != nil {
		return Result{}, err
	}
	if model.OnboardingOwned(collection, id) {
		return Result{}, ownedError(collection, id)
	}
	if err := s.checkDelete(ctx, &o, collection, id); err != nil {
		return Result{}, err
	}
	if _, err := s.store.Delete(ctx, collection, id, o.IfMatch); err != nil {
		return Result{}, err
	}
	return s.apply(ctx, collection, id, nil), nil
}

// apply makes a stored write visible to decisions. A failure here does not
// undo the write, which is stored: the result is Pending and the syncer
// applies it when it reads the store again.
func (s *Service) apply(ctx context.Context, collection, id string, stored model.Document) Result {
	res := Result{Doc: stored}
	if _, err := s.engine.Apply(ctx, []engine.Change{{Collection: collection, ID: id, Doc: stored}}); err != nil {
		s.log.Warn("write stored but not applied; the next sync applies it",
			"collection", collection, "id", id, "error", err)
		res.Pending = true
	}
	return res
}

func alreadyExists(collection, id string) *Error {
	return conflict(fmt.Sprintf("%s/%s already exists", collection, id))
}
