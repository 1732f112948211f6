package writes

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/apps"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes/writestest"
)

// manifest reads a manifest of engine/apps/testdata.
func manifest(t *testing.T, name string) *model.Manifest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "apps", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.DecodeManifest(raw, strings.HasSuffix(name, ".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// appsFixture: tenants t1 and t2 on stack s1, t3 alone, and versions 1 of
// the directory and participants apps uploaded.
func appsFixture(t *testing.T) (*Service, *fakeEngine, *writestest.Store) {
	t.Helper()
	eng := &fakeEngine{allowed: map[string]bool{"ann tenants/t1 apps:onboard": true}}
	store := writestest.NewStore(
		&model.Tenant{Meta: model.Meta{ID: "t1"}, StackID: "s1"},
		&model.Tenant{Meta: model.Meta{ID: "t2"}, StackID: "s1"},
		&model.Tenant{Meta: model.Meta{ID: "t3"}})
	s := New(eng, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, name := range []string{"directory.json", "participants.yaml"} {
		m := manifest(t, name)
		if _, err := s.PutAppVersion(t.Context(), m.AppID, "1", m, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	return s, eng, store
}

func onboard(t *testing.T, s *Service, app, tenant string) Onboarded {
	t.Helper()
	out, err := s.Onboard(t.Context(), app, OnboardRequest{VersionID: "1", TenantID: tenant}, Options{})
	if err != nil {
		t.Fatalf("onboard %s to %s: %v", app, tenant, err)
	}
	return out
}

func has(t *testing.T, store *writestest.Store, collection, id string) bool {
	t.Helper()
	_, err := store.Get(context.Background(), collection, id)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func TestOnboardWritesOneBatchAndAnswers(t *testing.T) {
	s, eng, store := appsFixture(t)
	onboard(t, s, "platform:directory", "t1")
	applies := len(eng.applied)
	out := onboard(t, s, "platform:participants", "t1")
	want := apps.Answer{Tenants: []apps.TenantAnswer{{TenantID: "t1", Roles: []string{"platform:participants/participants-viewer"},
		Groups: []apps.GroupAnswer{{ID: "tenants/t1/apps/platform:participants/groups/participants-admins", Name: "participants-admins",
			Roles: []string{"platform:participants/participants-viewer"}}}}}}
	if diff := cmp.Diff(want, out.Answer); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	// role, group, record and onboarding, applied in one change
	if got := len(eng.applied) - applies; got != 4 {
		t.Errorf("applied %d changes, want the 4 documents in one call", got)
	}
	o, err := store.Get(t.Context(), model.Onboardings, "t1/platform:participants")
	if err != nil {
		t.Fatal(err)
	}
	grants := o.(*model.Onboarding).Grants
	if len(grants) != 1 || grants[0].Role != "platform:directory/directory-reader" || grants[0].ResourceURI != "tenants/t1/apps/platform:directory" {
		t.Errorf("app grants %+v", grants)
	}
}

func TestOnboardRefusals(t *testing.T) {
	tests := []struct {
		name   string
		app    string
		req    OnboardRequest
		actor  string
		kind   error
		fields []string
	}{
		{"both tenant and stack", "platform:directory", OnboardRequest{VersionID: "1", TenantID: "t1", StackID: "s1"}, "", ErrInvalid, []string{"tenantId"}},
		{"neither tenant nor stack", "platform:directory", OnboardRequest{VersionID: "1"}, "", ErrInvalid, []string{"tenantId"}},
		{"bad version id", "platform:directory", OnboardRequest{VersionID: "", TenantID: "t1"}, "", ErrInvalid, []string{"versionId"}},
		{"unknown version", "platform:directory", OnboardRequest{VersionID: "9", TenantID: "t1"}, "", model.ErrNotFound, nil},
		{"unknown tenant", "platform:directory", OnboardRequest{VersionID: "1", TenantID: "nope"}, "", ErrInvalid, []string{"tenantId"}},
		{"empty stack", "platform:directory", OnboardRequest{VersionID: "1", StackID: "s9"}, "", ErrInvalid, []string{"stackId"}},
		{"required app missing", "platform:participants", OnboardRequest{VersionID: "1", TenantID: "t1"}, "", model.ErrConflict, nil},
		{"user without apps:onboard", "platform:directory", OnboardRequest{VersionID: "1", TenantID: "t2"}, "ann", ErrForbidden, []string{"tenants/t2"}},
		{"app id not namespace:name", "Platform:Directory", OnboardRequest{VersionID: "1", TenantID: "t1"}, "", ErrInvalid, []string{"appId"}},
		{"control character in the tenant id", "platform:directory", OnboardRequest{VersionID: "1", TenantID: "t\u0001"}, "", ErrInvalid, []string{"tenantId"}},
		{"tenant id of two segments", "platform:directory", OnboardRequest{VersionID: "1", TenantID: "t1/x"}, "", ErrInvalid, []string{"tenantId"}},
		{"stack with one tenant denied", "platform:directory", OnboardRequest{VersionID: "1", StackID: "s1"}, "ann", ErrForbidden, []string{"tenants/t2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, eng, store := appsFixture(t)
			before := store.Written()
			_, err := s.Onboard(t.Context(), tc.app, tc.req, Options{Actor: tc.actor})
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err %v, want %v", err, tc.kind)
			}
			var werr *Error
			if errors.As(err, &werr) && tc.fields != nil {
				var fields []string
				for _, p := range werr.Problems {
					fields = append(fields, p.Field)
				}
				if diff := cmp.Diff(tc.fields, fields); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			}
			if store.Written() != before || len(eng.applied) != 2 {
				t.Errorf("a refused onboarding wrote %d documents and applied %d changes", store.Written()-before, len(eng.applied)-2)
			}
		})
	}
}

func TestOnboardOnBehalfOfAllowedUser(t *testing.T) {
	s, _, store := appsFixture(t)
	if _, err := s.Onboard(t.Context(), "platform:directory", OnboardRequest{VersionID: "1", TenantID: "t1"}, Options{Actor: "ann"}); err != nil {
		t.Fatal(err)
	}
	if !has(t, store, model.Onboardings, "t1/platform:directory") {
		t.Error("onboarding not stored")
	}
}

func TestOnboardStackAndPerTenantGroups(t *testing.T) {
	s, _, store := appsFixture(t)
	out, err := s.Onboard(t.Context(), "platform:directory", OnboardRequest{VersionID: "1", StackID: "s1"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Answer.Tenants) != 2 {
		t.Fatalf("answer %+v, want t1 and t2", out.Answer)
	}
	for _, tenant := range []string{"t1", "t2"} {
		if !has(t, store, model.Groups, "tenants/"+tenant+"/apps/platform:directory/groups/directory-admins") {
			t.Errorf("no group in %s", tenant)
		}
	}
	if has(t, store, model.Onboardings, "t3/platform:directory") {
		t.Error("t3 is not on stack s1")
	}
}

func TestReonboardDropsWhatTheVersionDroppedAndKeepsMembers(t *testing.T) {
	s, _, store := appsFixture(t)
	onboard(t, s, "platform:directory", "t1")
	group := "tenants/t1/apps/platform:directory/groups/directory-admins"
	g, _ := store.Get(t.Context(), model.Groups, group)
	g.(*model.Group).Users = []model.UserRef{{UserID: "u1"}}
	if _, err := store.Put(t.Context(), model.Groups, g, nil); err != nil {
		t.Fatal(err)
	}
	m := manifest(t, "directory.json")
	m.UserGroupsRequired = append(m.UserGroupsRequired, model.UserGroup{GroupName: "readers", Roles: []string{"directory-reader"}})
	if _, err := s.PutAppVersion(t.Context(), m.AppID, "2", m, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Onboard(t.Context(), m.AppID, OnboardRequest{VersionID: "2", TenantID: "t1"}, Options{}); err != nil {
		t.Fatal(err)
	}
	kept, _ := store.Get(t.Context(), model.Groups, group)
	if users := kept.(*model.Group).Users; len(users) != 1 || users[0].UserID != "u1" {
		t.Errorf("surviving group lost its users: %+v", users)
	}
	m.UserGroupsRequired = m.UserGroupsRequired[1:] // version 3 drops directory-admins
	if _, err := s.PutAppVersion(t.Context(), m.AppID, "3", m, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Onboard(t.Context(), m.AppID, OnboardRequest{VersionID: "3", TenantID: "t1"}, Options{}); err != nil {
		t.Fatal(err)
	}
	if has(t, store, model.Groups, group) || has(t, store, model.Records, group) {
		t.Error("the group version 3 dropped is still stored")
	}
	if !has(t, store, model.Groups, "tenants/t1/apps/platform:directory/groups/readers") {
		t.Error("readers group missing")
	}
}

func TestOffboardRemovesEverything(t *testing.T) {
	s, _, store := appsFixture(t)
	onboard(t, s, "platform:directory", "t1")
	if _, err := s.Offboard(t.Context(), "platform:directory", "t1", Options{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{model.Onboardings, model.Groups, model.Records, model.Roles} {
		if docs, _ := store.List(t.Context(), c, "", 100); len(docs) > 0 {
			t.Errorf("%s left after offboarding: %d", c, len(docs))
		}
	}
	if _, err := s.Offboard(t.Context(), "platform:directory", "t1", Options{}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("offboarding again: %v, want not found", err)
	}
}

func TestOffboardRefusesBadIDs(t *testing.T) {
	s, _, store := appsFixture(t)
	onboard(t, s, "platform:directory", "t1")
	before := store.Written()
	for _, tc := range []struct{ app, tenant, field string }{
		{"not-an-app", "t1", "appId"},
		{"platform:directory", "..", "tenantId"},
		{"platform:directory", "t\u007f", "tenantId"},
	} {
		_, err := s.Offboard(t.Context(), tc.app, tc.tenant, Options{})
		var werr *Error
		if !errors.As(err, &werr) || !errors.Is(err, ErrInvalid) || len(werr.Problems) != 1 || werr.Problems[0].Field != tc.field {
			t.Errorf("offboard %q from %q: %v, want invalid %s", tc.app, tc.tenant, err, tc.field)
		}
	}
	if store.Written() != before {
		t.Error("a refused offboarding wrote")
	}
}

func TestOffboardRefusedWhileAnotherAppRequiresIt(t *testing.T) {
	s, _, _ := appsFixture(t)
	onboard(t, s, "platform:directory", "t1")
	onboard(t, s, "platform:participants", "t1")
	if _, err := s.Offboard(t.Context(), "platform:directory", "t1", Options{}); !errors.Is(err, model.ErrConflict) {
		t.Errorf("err %v, want a conflict: participants requires directory-reader", err)
	}
}

func TestPutAppVersion(t *testing.T) {
	s, _, _ := appsFixture(t)
	m := manifest(t, "directory.json")
	if _, err := s.PutAppVersion(t.Context(), "platform:other", "1", m, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("appId differing from the path: %v", err)
	}
	if _, err := s.PutAppVersion(t.Context(), m.AppID, "1", m, Options{Actor: "ann"}); !errors.Is(err, ErrForbidden) {
		t.Errorf("on behalf of a user: %v", err)
	}
	onboard(t, s, m.AppID, "t1")
	if _, err := s.PutAppVersion(t.Context(), m.AppID, "1", m, Options{}); err != nil {
		t.Errorf("the same manifest again: %v", err)
	}
	m.Roles[0].Permissions = append(m.Roles[0].Permissions, "directory.write")
	if _, err := s.PutAppVersion(t.Context(), m.AppID, "1", m, Options{}); !errors.Is(err, model.ErrConflict) {
		t.Errorf("changing an onboarded version: %v, want a conflict", err)
	}
}

func TestOnboardingOwnedDocumentsAreReserved(t *testing.T) {
	s, _, store := appsFixture(t)
	onboard(t, s, "platform:directory", "t1")
	group := "tenants/t1/apps/platform:directory/groups/directory-admins"
	tests := []struct {
		name string
		do   func() error
		kind error
	}{
		{"create an app role", func() error {
			_, err := s.Replace(t.Context(), model.Roles, "platform:directory/forged", &model.Role{}, Options{})
			return err
		}, ErrForbidden},
		{"replace an app role", func() error {
			_, err := s.Replace(t.Context(), model.Roles, "platform:directory/directory-reader", &model.Role{}, Options{})
			return err
		}, ErrForbidden},
		{"delete an app role", func() error {
			_, err := s.Delete(t.Context(), model.Roles, "platform:directory/directory-reader", Options{})
			return err
		}, ErrForbidden},
		{"create a group in an app's namespace", func() error {
			_, err := s.Replace(t.Context(), model.Groups, "tenants/t1/apps/platform:directory/groups/forged", &model.Group{}, Options{})
			return err
		}, ErrForbidden},
		{"rename an app group", func() error {
			_, err := s.Replace(t.Context(), model.Groups, group, &model.Group{Name: "other"}, Options{})
			return err
		}, ErrForbidden},
		{"replace an app group's record", func() error {
			_, err := s.Replace(t.Context(), model.Records, group, &model.Record{}, Options{})
			return err
		}, ErrForbidden},
		{"add a user to an app group", func() error {
			_, err := s.Replace(t.Context(), model.Groups, group, &model.Group{Name: "directory-admins", Users: []model.UserRef{{UserID: "u1"}}}, Options{})
			return err
		}, nil},
		{"an ordinary role with a slash", func() error {
			_, err := s.Replace(t.Context(), model.Roles, "team/reader", &model.Role{Name: "R"}, Options{})
			return err
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := store.Written()
			err := tc.do()
			if !errors.Is(err, tc.kind) || (tc.kind == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.kind)
			}
			if tc.kind != nil && store.Written() != before {
				t.Error("a refused write was stored")
			}
		})
	}
}
