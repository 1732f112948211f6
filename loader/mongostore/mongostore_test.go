package mongostore_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/changelog"
	"github.com/gatehouse/gatehouse/loader/loadertest"
	"github.com/gatehouse/gatehouse/loader/mongostore"
)

func sample() *model.Snapshot {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	return &model.Snapshot{
		Roles: []model.Role{{Meta: model.Meta{ID: "reader"}, Name: "Reader", Permissions: []model.Permission{{Action: "read:*"}}}},
		Records: []model.Record{{Meta: model.Meta{ID: "r1"}, Status: "ACTIVE", ExpiresAt: &exp, Users: []model.UserRef{{UserID: "u1"}},
			Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/A"}}}}}},
		Groups:        []model.Group{{Meta: model.Meta{ID: "g1"}, Name: "G", Users: []model.UserRef{{UserID: "u1"}}}},
		Memberships:   []model.Membership{{Meta: model.Meta{ID: "m1"}, UserID: "u1", Context: "customers/c1", Roles: []string{"reader"}}},
		Extensions:    []model.Extension{{Meta: model.Meta{ID: "e1"}, Name: "E", Permissions: []string{"read:chats"}}},
		Installations: []model.Installation{{Meta: model.Meta{ID: "i1"}, ExtensionID: "e1", Context: "accounts/A", Status: "ACTIVE", ConsentedPermissions: []string{"read:chats"}, InstalledBy: "u1"}},
		Tenants:       []model.Tenant{{Meta: model.Meta{ID: "t1"}, Name: "T"}},
		Policies:      []model.Policy{{Meta: model.Meta{ID: "p1"}, Source: "package custom.p1\n"}},
		Apps:          []model.AppVersion{*model.NewAppVersion("platform:notes", "1.0.0", sampleManifest())},
		Onboardings: []model.Onboarding{{Meta: model.Meta{ID: "t1/platform:notes"}, AppID: "platform:notes", VersionID: "1.0.0", TenantID: "t1",
			Grants: []model.AppGrant{{Role: "reader", ResourceURI: "tenants/t1/apps/platform:other"}}}},
	}
}

// sampleManifest is a small valid manifest with every optional part set.
func sampleManifest() *model.Manifest {
	no := false
	return &model.Manifest{
		AppID: "platform:notes",
		Resources: []model.AppResource{{Name: "notes", ResourcePath: "^/notes(/[^/]+)?$", AllowedHTTPMethods: []string{"GET", "POST"}, IsActive: &no,
			Permissions: []model.RoutePermission{{Action: "notes.read", HTTPMethod: "GET"}, {Action: "notes.write", HTTPMethod: "POST", IsActive: &no}}}},
		Roles:              []model.AppRole{{RoleName: "viewer", Permissions: []string{"notes.read"}, CanGrantToApps: &no}},
		RolesRequired:      []string{"platform:other/reader"},
		UserGroupsRequired: []model.UserGroup{{GroupName: "readers", Roles: []string{"viewer"}}},
	}
}

var ignoreMeta = cmpopts.IgnoreFields(model.Meta{}, "UpdatedAt", "Version")

func TestImportExportRoundTrip(t *testing.T) {
	m, _ := loadertest.Store(t)
	if err := m.Import(t.Context(), sample()); err != nil {
		t.Fatal(err)
	}
	got, err := m.Export(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sample(), got, ignoreMeta); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}
	if got.Roles[0].Version != 1 || got.Roles[0].UpdatedAt.IsZero() {
		t.Errorf("meta not set: %+v", got.Roles[0].Meta)
	}
	// Through a file and into a second, empty mongostore.
	path := filepath.Join(t.TempDir(), "export.yaml")
	if err := mongostore.WriteFile(path, got); err != nil {
		t.Fatal(err)
	}
	read, err := mongostore.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := loadertest.Store(t)
	if err := other.Import(t.Context(), read); err != nil {
		t.Fatal(err)
	}
	again, _ := other.Export(t.Context())
	if diff := cmp.Diff(sample(), again, ignoreMeta); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestImportBumpsVersion(t *testing.T) {
	m, _ := loadertest.Store(t)
	for range 2 {
		if err := m.Import(t.Context(), sample()); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := m.Export(t.Context())
	if len(got.Roles) != 1 || got.Roles[0].Version != 2 {
		t.Errorf("roles after two imports: %+v", got.Roles)
	}
}

func TestImportInvalidWritesNothing(t *testing.T) {
	m, _ := loadertest.Store(t)
	bad := sample()
	bad.Records[0].Status = "MAYBE"
	bad.Records[0].Statements[0].Resources[0].ResourceURI = "a//b"
	bad.Memberships[0].Roles = []string{"ghost"}
	bad.Installations[0].ExtensionID = "nope"
	err := m.Import(t.Context(), bad)
	var verr *model.ValidationError
	if !errors.As(err, &verr) || !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("err = %v, want ValidationError", err)
	}
	fields := map[string]bool{}
	for _, p := range verr.Problems {
		fields[p.Collection+"/"+p.ID+":"+p.Field] = true
	}
	for _, want := range []string{
		"records/r1:status", "records/r1:statements[0].resources[0].resourceUri",
		"memberships/m1:roles[0]", "installations/i1:extensionId",
	} {
		if !fields[want] {
			t.Errorf("problem %s not reported; got %v", want, verr.Problems)
		}
	}
	got, _ := m.Export(t.Context())
	if n := len(got.Roles) + len(got.Records) + len(got.Tenants); n != 0 {
		t.Errorf("%d documents written by a failed import", n)
	}
}

func TestSnapshotSkipsInvalidDocuments(t *testing.T) {
	m, uri := loadertest.Store(t)
	if err := m.Import(t.Context(), sample()); err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(t.Context(), options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(t.Context())
	roles := client.Database(mongostore.DefaultDatabase).Collection(model.Roles)
	outside := []any{
		bson.M{"_id": "wrongtype", "permissions": "not-a-list"},
		bson.M{"_id": "badaction", "permissions": bson.A{bson.M{"action": "read::x"}}},
		bson.M{"_id": "fine", "permissions": bson.A{bson.M{"action": "write"}}},
	}
	if _, err := roles.InsertMany(t.Context(), outside); err != nil {
		t.Fatal(err)
	}
	snap, err := m.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Roles) != 2 || m.Skipped()[model.Roles] != 2 {
		t.Errorf("roles = %d, skipped = %v; want 2 kept and 2 skipped", len(snap.Roles), m.Skipped())
	}
}

func TestReadFileRejectsUnknownFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.json")
	if err := writeString(path, `{"roles": [{"_id": "r", "permisions": []}]}`); err != nil {
		t.Fatal(err)
	}
	if _, err := mongostore.ReadFile(path); err == nil {
		t.Fatal("unknown field accepted")
	}
}

// TestBatchLogsOneEntry: a batch's writes are logged as one entry naming
// each document; a write that fails stops the batch, and the writes made
// before it stay and are logged.
func TestBatchLogsOneEntry(t *testing.T) {
	m, _ := loadertest.Store(t)
	role := func(id string) *model.Role { return &model.Role{Meta: model.Meta{ID: id}, Name: id} }
	zero := int64(0)
	start := time.Now().Add(-time.Second)
	stored, err := m.Batch(t.Context(), []model.Write{
		{Collection: model.Roles, ID: "a", Doc: role("a"), IfMatch: &zero},
		{Collection: model.Roles, ID: "b", Doc: role("b")},
	})
	if err != nil || len(stored) != 2 || stored[1].DocMeta().Version != 1 {
		t.Fatalf("batch: %v, stored %v", err, stored)
	}
	stored, err = m.Batch(t.Context(), []model.Write{
		{Collection: model.Roles, ID: "a"},                                 // delete
		{Collection: model.Roles, ID: "b", Doc: role("b"), IfMatch: &zero}, // b exists: conflict
		{Collection: model.Roles, ID: "c", Doc: role("c")},                 // never made
	})
	if !errors.Is(err, model.ErrConflict) || len(stored) != 1 {
		t.Fatalf("second batch: %v, %d stored; want a conflict after one write", err, len(stored))
	}
	entries, err := m.Changes(t.Context(), start)
	if err != nil {
		t.Fatal(err)
	}
	var batches [][]changelog.Ref
	for _, e := range entries {
		batches = append(batches, e.Refs())
	}
	want := [][]changelog.Ref{{{Collection: model.Roles, ID: "a"}, {Collection: model.Roles, ID: "b"}}, {{Collection: model.Roles, ID: "a"}}}
	if diff := cmp.Diff(want, batches); diff != "" {
		t.Errorf("change log (-want +got):\n%s", diff)
	}
	if _, err := m.Get(t.Context(), model.Roles, "c"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("c written after the failed write: %v", err)
	}
}
