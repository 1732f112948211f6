package writes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes/writestest"
)

func ptr[T any](v T) *T { return &v }

// fixture: roles viewer and locked (canGrantToUsers false), extension ext1,
// and membership m1 giving viewer to u1, all stored at version 1.
func fixture() (*fakeEngine, *writestest.Store) {
	viewer := &model.Role{Meta: model.Meta{ID: "viewer"}, Name: "Viewer"}
	locked := &model.Role{Meta: model.Meta{ID: "locked"}, CanGrantToUsers: ptr(false)}
	eng := &fakeEngine{
		known: map[string]bool{"roles/viewer": true, "roles/locked": true, "extensions/ext1": true},
		roles: map[string]model.Role{"viewer": *viewer, "locked": *locked},
		lacking: map[string][]engine.Missing{
			"mallory": {{Role: "viewer", Action: "chats:read", Resource: "accounts/a", Needs: engine.NeedsGrant}},
			"ghost":   {{Role: "gone", Needs: engine.NeedsKnownRole}},
		},
	}
	store := writestest.NewStore(viewer, locked,
		&model.Extension{Meta: model.Meta{ID: "ext1"}},
		&model.Membership{Meta: model.Meta{ID: "m1"}, UserID: "u1", Context: "accounts/a", Roles: []string{"viewer"}})
	return eng, store
}

func membership(id string, roles ...string) *model.Membership {
	return &model.Membership{Meta: model.Meta{ID: id}, UserID: "u2", Context: "accounts/a", Roles: roles}
}

// outcome is what a test case checks of a write.
type outcome struct {
	kind     error    // nil: the write succeeds
	message  string   // the refusal's message, when kind is set
	fields   []string // the refusal's problem fields
	pending  bool
	version  int64 // of the stored document, for a put
	writes   int   // store writes made
	applied  int   // changes applied to the engine
	otherErr error // an error that is no refusal, matched with errors.Is
}

func TestService(t *testing.T) {
	storeDown := fmt.Errorf("%w: dial tcp: i/o timeout", engine.ErrStoreUnavailable)
	tests := []struct {
		name  string
		setup func(*fakeEngine, *writestest.Store)
		write func(context.Context, *Service) (Result, error)
		want  outcome
	}{
		{name: "replace creates at version 1",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Memberships, "m2", membership("", "viewer"), Options{})
			},
			want: outcome{version: 1, writes: 1, applied: 1}},
		{name: "replace bumps the version",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Memberships, "m1", membership("m1", "viewer"), Options{IfMatch: ptr[int64](1)})
			},
			want: outcome{version: 2, writes: 1, applied: 1}},
		{name: "body id differs from the path",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Memberships, "m2", membership("other", "viewer"), Options{})
			},
			want: outcome{kind: ErrInvalid, message: "the document is invalid", fields: []string{"_id"}}},
		{name: "every problem listed: invalid, unknown and locked roles",
			write: func(ctx context.Context, s *Service) (Result, error) {
				m := membership("m2", "nope", "locked")
				m.Context = "a//b"
				return s.Replace(ctx, model.Memberships, "m2", m, Options{})
			},
			want: outcome{kind: ErrInvalid, message: "the document is invalid", fields: []string{"context", "roles[0]", "roles[1]"}}},
		{name: "unknown extension",
			write: func(ctx context.Context, s *Service) (Result, error) {
				in := &model.Installation{ExtensionID: "nope", Context: "accounts/a"}
				return s.Replace(ctx, model.Installations, "i1", in, Options{})
			},
			want: outcome{kind: ErrInvalid, message: "the document is invalid", fields: []string{"extensionId"}}},
		{name: "policy that does not compile",
			setup: func(e *fakeEngine, _ *writestest.Store) { e.policyErr = errCompile },
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Policies, "p1", &model.Policy{Source: "package custom.x\n"}, Options{})
			},
			want: outcome{kind: ErrInvalid, message: "the document is invalid", fields: []string{"source"}}},
		{name: "create with a version to match",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Create(ctx, model.Memberships, membership("m9", "viewer"), Options{IfMatch: ptr[int64](3)})
			},
			want: outcome{kind: model.ErrConflict, message: "a created document has no version to match: If-Match must be absent or \"0\""}},
		{name: "create of an id taken",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Create(ctx, model.Memberships, membership("m1", "viewer"), Options{})
			},
			want: outcome{kind: model.ErrConflict, message: "memberships/m1 already exists"}},
		{name: "create on behalf of an id taken",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Create(ctx, model.Memberships, membership("m1", "viewer"), Options{Actor: "alice"})
			},
			want: outcome{kind: model.ErrConflict, message: "memberships/m1 already exists"}},
		{name: "on behalf of a user who lacks a grant",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Memberships, "m2", membership("m2", "viewer"), Options{Actor: "mallory"})
			},
			want: outcome{kind: ErrForbidden, message: "mallory may not make this change", fields: []string{"role viewer: chats:read"}}},
		{name: "on behalf: a role that cannot be verified",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Memberships, "m2", membership("m2", "viewer"), Options{Actor: "ghost"})
			},
			want: outcome{kind: ErrForbidden, message: "ghost may not make this change", fields: []string{"role gone"}}},
		{name: "on behalf: If-Match other than the version checked",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Memberships, "m1", membership("m1", "viewer"), Options{Actor: "alice", IfMatch: ptr[int64](7)})
			},
			want: outcome{otherErr: model.ErrConflict}},
		{name: "on behalf: the write is conditional on the version checked",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Memberships, "m1", membership("m1", "viewer"), Options{Actor: "alice"})
			},
			want: outcome{version: 2, writes: 1, applied: 1}},
		{name: "on behalf: roles are not for users to change",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Roles, "r9", &model.Role{}, Options{Actor: "alice"})
			},
			want: outcome{kind: ErrForbidden, message: "roles cannot be changed on behalf of a user; use an API key with the write scope"}},
		{name: "on behalf: an installation made by someone else",
			write: func(ctx context.Context, s *Service) (Result, error) {
				in := &model.Installation{ExtensionID: "ext1", Context: "accounts/a", InstalledBy: "bob"}
				return s.Replace(ctx, model.Installations, "i1", in, Options{Actor: "alice"})
			},
			want: outcome{kind: ErrForbidden, message: "alice cannot record an installation as made by bob"}},
		{name: "force on behalf of a user",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Delete(ctx, model.Roles, "viewer", Options{Actor: "alice", Force: true})
			},
			want: outcome{kind: ErrForbidden, message: "force is never used on behalf of a user"}},
		{name: "delete of a role still given",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Delete(ctx, model.Roles, "viewer", Options{})
			},
			want: outcome{kind: model.ErrConflict, fields: []string{"roles[0]"},
				message: "roles/viewer is still named by other documents: change them first, or delete with ?force=true"}},
		{name: "forced delete of a role still given",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Delete(ctx, model.Roles, "viewer", Options{Force: true})
			},
			want: outcome{writes: 1, applied: 1}},
		{name: "delete of an absent document",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Delete(ctx, model.Tenants, "nope", Options{})
			},
			want: outcome{otherErr: model.ErrNotFound}},
		{name: "turning canGrantToUsers off while the role is given",
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Roles, "viewer", &model.Role{CanGrantToUsers: ptr(false)}, Options{})
			},
			want: outcome{kind: model.ErrConflict, fields: []string{"roles[0]"},
				message: "role viewer still goes to users or groups through these documents: change them first, or write with ?force=true"}},
		{name: "store unavailable",
			setup: func(_ *fakeEngine, s *writestest.Store) { s.Err = storeDown },
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Tenants, "t1", &model.Tenant{Name: "acme"}, Options{})
			},
			want: outcome{otherErr: engine.ErrStoreUnavailable}},
		{name: "stored but not applied: pending, not an error",
			setup: func(e *fakeEngine, _ *writestest.Store) { e.applyErr = errors.New("recompile failed") },
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Replace(ctx, model.Memberships, "m2", membership("m2", "viewer"), Options{})
			},
			want: outcome{version: 1, writes: 1, pending: true}},
		{name: "deleted but not applied: pending, not an error",
			setup: func(e *fakeEngine, _ *writestest.Store) { e.applyErr = engine.ErrNotReady },
			write: func(ctx context.Context, s *Service) (Result, error) {
				return s.Delete(ctx, model.Memberships, "m1", Options{})
			},
			want: outcome{writes: 1, pending: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng, store := fixture()
			if tt.setup != nil {
				tt.setup(eng, store)
			}
			res, err := tt.write(t.Context(), New(eng, store, slog.New(slog.NewTextHandler(io.Discard, nil))))
			checkOutcome(t, tt.want, res, err)
			if store.Writes != tt.want.writes || len(eng.applied) != tt.want.applied {
				t.Errorf("%d store writes and %d changes applied, want %d and %d", store.Writes, len(eng.applied), tt.want.writes, tt.want.applied)
			}
		})
	}
}

func checkOutcome(t *testing.T, want outcome, res Result, err error) {
	t.Helper()
	var refused *Error
	switch {
	case want.otherErr != nil:
		if !errors.Is(err, want.otherErr) || errors.As(err, &refused) {
			t.Fatalf("error %v, want one wrapping %v", err, want.otherErr)
		}
	case want.kind != nil:
		if !errors.As(err, &refused) || !errors.Is(err, want.kind) {
			t.Fatalf("error %v, want a refusal of kind %v", err, want.kind)
		}
		var fields []string
		for _, p := range refused.Problems {
			fields = append(fields, p.Field)
		}
		if diff := cmp.Diff(want.fields, fields); diff != "" || refused.Message != want.message {
			t.Errorf("message %q, want %q; fields (-want +got):\n%s", refused.Message, want.message, diff)
		}
	case err != nil:
		t.Fatalf("unexpected error: %v", err)
	default:
		if res.Pending != want.pending {
			t.Errorf("pending %v, want %v", res.Pending, want.pending)
		}
		if want.version > 0 && (res.Doc == nil || res.Doc.DocMeta().Version != want.version) {
			t.Errorf("stored %+v, want version %d", res.Doc, want.version)
		}
	}
}

func TestCreateGeneratesAnID(t *testing.T) {
	eng, store := fixture()
	res, err := New(eng, store, nil).Create(t.Context(), model.Tenants, &model.Tenant{Name: "acme"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := uuid.Parse(res.Doc.DocMeta().ID)
	if err != nil || id.Version() != 7 {
		t.Errorf("id %q is not a UUIDv7 (%v)", res.Doc.DocMeta().ID, err)
	}
	if _, err := store.Get(t.Context(), model.Tenants, id.String()); err != nil {
		t.Errorf("the created tenant is not stored: %v", err)
	}
}

func TestInstallationOnBehalfRecordsTheActor(t *testing.T) {
	eng, store := fixture()
	in := &model.Installation{ExtensionID: "ext1", Context: "accounts/a"}
	res, err := New(eng, store, nil).Replace(t.Context(), model.Installations, "i1", in, Options{Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Doc.(*model.Installation).InstalledBy; got != "alice" {
		t.Errorf("installedBy %q, want alice", got)
	}
}

func TestReferencesAreBounded(t *testing.T) {
	eng, store := fixture()
	for i := range maxReferences + 20 {
		m := membership(fmt.Sprintf("m%03d", i), "viewer")
		if _, err := store.Put(t.Context(), model.Memberships, m, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := New(eng, store, nil).Delete(t.Context(), model.Roles, "viewer", Options{})
	var refused *Error
	if !errors.As(err, &refused) || len(refused.Problems) != maxReferences {
		t.Fatalf("error %v, want a conflict listing %d references", err, maxReferences)
	}
}
