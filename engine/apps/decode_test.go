package apps_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
)

func TestDecodeManifestFixture(t *testing.T) {
	m := load(t, "participants.yaml")
	yes := true
	want := &model.Manifest{
		AppID: "platform:participants",
		Resources: []model.AppResource{{
			Name:               "participants",
			ResourcePath:       "^/v1/participants(/[^/]+)?$",
			AllowedHTTPMethods: []string{"GET", "POST", "DELETE"},
			IsActive:           &yes,
			Permissions: []model.RoutePermission{
				{Action: "participants.read", HTTPMethod: "GET", IsActive: &yes},
				{Action: "participants.write", HTTPMethod: "POST", IsActive: &yes},
			},
		}},
		Roles: []model.AppRole{{RoleName: "participants-viewer", Permissions: []string{"participants.read"},
			CanGrantToApps: &yes, CanGrantToUsers: &yes, IsActive: &yes}},
		RolesRequired:      []string{"platform:directory/directory-reader"},
		UserGroupsRequired: []model.UserGroup{{GroupName: "participants-admins", Roles: []string{"participants-viewer"}}},
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Fatalf("participants.yaml (-want +got):\n%s", diff)
	}
	load(t, "directory.json")
}

func TestDecodeManifestRefuses(t *testing.T) {
	tests := []struct {
		name, in string
		yaml     bool
		shape    []string // fields a *model.ShapeError names; nil for a *model.MalformedError
	}{
		{name: "json duplicate key", in: `{"appId":"a:b","appId":"a:c"}`},
		{name: "yaml duplicate key", in: "appId: a:b\nappId: a:c\n", yaml: true},
		{name: "yaml nested duplicate key", in: "appId: a:b\nroles:\n  - {roleName: x, roleName: y, permissions: []}\n", yaml: true},
		{name: "json not an object", in: `["a:b"]`},
		{name: "yaml two documents", in: "appId: a:b\n---\nappId: a:c\n", yaml: true},
		{name: "json nulls", in: `{"appId":null,"resources":[{"name":"r","resourcePath":null,"allowedHttpMethods":["GET",null],"isActive":null}]}`,
			shape: []string{"appId", "resources[0].allowedHttpMethods[1]", "resources[0].isActive", "resources[0].resourcePath"}},
		{name: "yaml nulls and wrong types", yaml: true, in: "appId: ~\nrolesRequired: x\nroles:\n  - {roleName: 1, permissions: [a], isActive: yes}\n",
			shape: []string{"appId", "roles[0].isActive", "roles[0].roleName", "rolesRequired"}},
		{name: "unknown fields", in: `{"appId":"a:b","resource":[],"roles":[{"roleName":"x","permissions":["a"],"canGrantToUser":true}]}`,
			shape: []string{"resource", "roles[0].canGrantToUser"}},
		{name: "field names are case-sensitive", in: `{"AppId":"a:b"}`, shape: []string{"AppId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := model.DecodeManifest([]byte(tt.in), tt.yaml)
			var bad *model.MalformedError
			var shape *model.ShapeError
			switch {
			case tt.shape == nil && !errors.As(err, &bad):
				t.Fatalf("got %v, want a MalformedError", err)
			case tt.shape != nil && !errors.As(err, &shape):
				t.Fatalf("got %v, want a ShapeError", err)
			case tt.shape != nil:
				var got []string
				for _, p := range shape.Problems {
					got = append(got, p.Field)
				}
				if diff := cmp.Diff(tt.shape, got); diff != "" {
					t.Fatalf("fields (-want +got):\n%s\n%v", diff, shape.Problems)
				}
			}
		})
	}
}

func TestDecodeManifestYAMLAndJSONAgree(t *testing.T) {
	y := "appId: platform:x\nresources:\n  - name: r\n    resourcePath: '^/x$'\n    allowedHttpMethods: [GET]\n    permissions: [{action: x.read, httpMethod: GET}]\n"
	j := `{"appId":"platform:x","resources":[{"name":"r","resourcePath":"^/x$","allowedHttpMethods":["GET"],"permissions":[{"action":"x.read","httpMethod":"GET"}]}]}`
	my, err := model.DecodeManifest([]byte(y), true)
	if err != nil {
		t.Fatal(err)
	}
	mj, err := model.DecodeManifest([]byte(j), false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mj, my); diff != "" {
		t.Fatalf("YAML and JSON differ (-json +yaml):\n%s", diff)
	}
	if !strings.Contains(y, "'^/x$'") || len(my.Validate()) != 0 {
		t.Fatalf("valid manifest refused: %v", my.Validate())
	}
}
