package client_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/engine/writes/writestest"
)

// exampleKey is the API key of the servers the examples start.
const exampleKey = "example-key-0123456789"

// exampleSnapshot: alice reads accounts/acme through a record; bob is in
// the editors group, which a record makes editors of its chats, and a
// member reading accounts/globex; the
// summarizer may only read chats in acme.
func exampleSnapshot() *model.Snapshot {
	res := func(u string) []model.ResourceRef { return []model.ResourceRef{{ResourceURI: u}} }
	return &model.Snapshot{
		Roles: []model.Role{
			{Meta: model.Meta{ID: "reader"}, Name: "Reader", Permissions: []model.Permission{{Action: "read:*"}}},
			{Meta: model.Meta{ID: "editor"}, Name: "Editor", Permissions: []model.Permission{{Action: "chats:*", Grant: true}}},
		},
		Records: []model.Record{
			{Meta: model.Meta{ID: "alice-reads"}, Status: model.StatusActive, Users: []model.UserRef{{UserID: "alice"}},
				Statements: []model.Statement{{Roles: []string{"reader"}, Resources: res("accounts/acme")}}},
			{Meta: model.Meta{ID: "editors-edit"}, Status: model.StatusActive, Groups: []model.GroupRef{{GroupID: "editors"}},
				Statements: []model.Statement{{Roles: []string{"editor"}, Resources: res("accounts/acme/chats")}}},
		},
		Memberships: []model.Membership{{Meta: model.Meta{ID: "bob-globex"}, UserID: "bob", Context: "accounts/globex", Roles: []string{"reader"}}},
		Groups:      []model.Group{{Meta: model.Meta{ID: "editors"}, Name: "Editors", Users: []model.UserRef{{UserID: "bob"}}}},
		Extensions: []model.Extension{{Meta: model.Meta{ID: "summarizer"}, Name: "Summarizer",
			Permissions: []string{"chats:read", "chats:write"}}},
		Installations: []model.Installation{{Meta: model.Meta{ID: "summarizer-acme"}, ExtensionID: "summarizer",
			Context: "accounts/acme", ConsentedPermissions: []string{"chats:read"}, InstalledBy: "bob", Status: model.StatusActive}},
	}
}

// startServer serves the API router over an engine loaded with snap and
// an in-memory store, behind one admin key, as testkit.StartMem does.
func startServer(snap *model.Snapshot) *httptest.Server {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := engine.NewWithOptions(log, engine.Options{})
	if _, err := e.Load(context.Background(), snap); err != nil {
		panic(err)
	}
	keys := []api.Key{{Name: "example", Secret: exampleKey, Scopes: []string{api.ScopeAdmin}}}
	return httptest.NewServer(api.NewRouter(api.Deps{Engine: e, Store: writestest.NewStoreFrom(snap), Keys: keys, Log: log}))
}
