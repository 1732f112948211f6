package apps_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/engine/model"
)

// valid is a manifest that passes every rule; each case breaks one.
func valid() *model.Manifest {
	no := false
	return &model.Manifest{
		AppID: "platform:participants",
		Resources: []model.AppResource{
			{Name: "participants", ResourcePath: "^/v1/participants(/[^/]+)?$", AllowedHTTPMethods: []string{"GET", "POST", "DELETE"},
				Permissions: []model.RoutePermission{
					{Action: "participants.read", HTTPMethod: "GET"},
					{Action: "participants.write", HTTPMethod: "POST"},
					{Action: "participants.old", HTTPMethod: "POST", IsActive: &no},
				}},
			{Name: "contacts", ResourcePath: "^/v1/participants/[^/]+/contacts$", AllowedHTTPMethods: []string{"GET"},
				Permissions: []model.RoutePermission{{Action: "participants.read", HTTPMethod: "GET"}}},
		},
		Roles: []model.AppRole{
			{RoleName: "viewer", Permissions: []string{"participants.read"}},
			{RoleName: "editor", Permissions: []string{"Participants.Read", "participants.write"}},
			{RoleName: "robot", Permissions: []string{"participants.write"}, CanGrantToUsers: &no},
		},
		RolesRequired:      []string{"platform:directory/directory-reader", "platform:0b9f5f1e-8c1a-4c1e-9a57-3c1d2b7a9e10/reader", "platform:participants/robot"},
		UserGroupsRequired: []model.UserGroup{{GroupName: "admins", Roles: []string{"editor", "viewer"}}},
	}
}

type want struct{ field, message string }

func TestValidate(t *testing.T) {
	if ps := valid().Validate(); len(ps) > 0 {
		t.Fatalf("the valid manifest: %v", ps)
	}
	no := false
	tests := []struct {
		name   string
		change func(m *model.Manifest)
		want   []want
	}{
		{"appId missing", func(m *model.Manifest) { m.AppID = "" }, []want{{"appId", "namespace:name"}}},
		{"appId without namespace", func(m *model.Manifest) { m.AppID = "participants" }, []want{{"appId", "namespace:name"}}},
		{"appId in upper case", func(m *model.Manifest) { m.AppID = "platform:Participants" }, []want{{"appId", "lower-case"}}},
		{"appId with an upper-case uuid", func(m *model.Manifest) { m.AppID = "platform:0B9F5F1E-8C1A-4C1E-9A57-3C1D2B7A9E10" }, []want{{"appId", "lower-case"}}},
		{"appId with a slash", func(m *model.Manifest) { m.AppID = "platform:a/b" }, []want{{"appId", "namespace:name"}}},
		{"appId ending in a hyphen", func(m *model.Manifest) { m.AppID = "platform:a-" }, []want{{"appId", "namespace:name"}}},
		{"resource name missing", func(m *model.Manifest) { m.Resources[0].Name = "" }, []want{{"resources[0].name", "is required"}}},
		{"resource name repeated", func(m *model.Manifest) { m.Resources[1].Name = "participants" }, []want{{"resources[1].name", "unique"}}},
		{"resource name with a control character", func(m *model.Manifest) { m.Resources[0].Name = "a\x00" }, []want{{"resources[0].name", "control character"}}},
		{"regex does not compile", func(m *model.Manifest) { m.Resources[0].ResourcePath = "^/v1/(participants$" }, []want{{"resources[0].resourcePath", "RE2"}}},
		{"regex uses a backreference (not RE2)", func(m *model.Manifest) { m.Resources[0].ResourcePath = `^/(a)\1$` }, []want{{"resources[0].resourcePath", "RE2"}}},
		{"regex missing", func(m *model.Manifest) { m.Resources[0].ResourcePath = "" }, []want{{"resources[0].resourcePath", "is required"}}},
		{"unknown method", func(m *model.Manifest) { m.Resources[0].AllowedHTTPMethods[2] = "FETCH" }, []want{{"resources[0].allowedHttpMethods[2]", `"FETCH"`}}},
		{"method in lower case", func(m *model.Manifest) { m.Resources[1].AllowedHTTPMethods[0] = "get" },
			[]want{{"resources[1].allowedHttpMethods[0]", `"get"`}, {"resources[1].permissions[0].httpMethod", "not in the resource's allowedHttpMethods"}}},
		{"method repeated", func(m *model.Manifest) { m.Resources[1].AllowedHTTPMethods = []string{"GET", "GET"} }, []want{{"resources[1].allowedHttpMethods[1]", "repeats GET"}}},
		{"no methods", func(m *model.Manifest) { m.Resources[1].AllowedHTTPMethods = nil },
			[]want{{"resources[1].allowedHttpMethods", "is empty"}, {"resources[1].permissions[0].httpMethod", "not in the resource's allowedHttpMethods"}}},
		{"permission method not allowed", func(m *model.Manifest) { m.Resources[1].Permissions[0].HTTPMethod = "PUT" },
			[]want{{"resources[1].permissions[0].httpMethod", "PUT is not in the resource's allowedHttpMethods"}}},
		{"permission method unknown", func(m *model.Manifest) { m.Resources[1].Permissions[0].HTTPMethod = "Get" }, []want{{"resources[1].permissions[0].httpMethod", `"Get"`}}},
		{"two active permissions for a method", func(m *model.Manifest) { m.Resources[0].Permissions[2].IsActive = nil },
			[]want{{"resources[0].permissions[2]", "second active permission for POST"}}},
		{"permission repeated", func(m *model.Manifest) { m.Resources[0].Permissions[2].Action = "PARTICIPANTS.write" },
			[]want{{"resources[0].permissions[2]", `repeats action "PARTICIPANTS.write" for POST`}}},
		{"action missing", func(m *model.Manifest) { m.Resources[0].Permissions[2].Action = "" }, []want{{"resources[0].permissions[2].action", "is required"}}},
		{"action with an empty segment", func(m *model.Manifest) { m.Resources[0].Permissions[2].Action = "a::b" }, []want{{"resources[0].permissions[2].action", "empty segment"}}},
		{"action with a wildcard", func(m *model.Manifest) { m.Resources[0].Permissions[2].Action = "participants:*" }, []want{{"resources[0].permissions[2].action", "not a pattern"}}},
		{"role name repeated", func(m *model.Manifest) { m.Roles[1].RoleName = "viewer" },
			[]want{{"roles[1].roleName", "unique"}, {"userGroupsRequired[0].roles[0]", `"editor" is not a role`}}},
		{"role name with a slash", func(m *model.Manifest) { m.Roles[0].RoleName = "a/b" }, []want{{"roles[0].roleName", `holds "/"`},
			{"userGroupsRequired[0].roles[1]", `"viewer" is not a role of this app`}}},
		{"role name too long", func(m *model.Manifest) { m.Roles[2].RoleName = strings.Repeat("r", 129) },
			[]want{{"roles[2].roleName", "too long"}, {"rolesRequired[2]", `defines no role "robot"`}}},
		{"role names an undeclared action", func(m *model.Manifest) { m.Roles[0].Permissions = []string{"participants.delete"} },
			[]want{{"roles[0].permissions[0]", `"participants.delete" is not an action`}}},
		{"role repeats an action", func(m *model.Manifest) { m.Roles[1].Permissions[1] = "participants.READ" }, []want{{"roles[1].permissions[1]", "repeats"}}},
		{"role without actions", func(m *model.Manifest) { m.Roles[0].Permissions = nil }, []want{{"roles[0].permissions", "is empty"}}},
		{"rolesRequired unqualified", func(m *model.Manifest) { m.RolesRequired[0] = "directory-reader" }, []want{{"rolesRequired[0]", "appId/roleName"}}},
		{"rolesRequired with a bad app id", func(m *model.Manifest) { m.RolesRequired[0] = "Platform:Directory/reader" }, []want{{"rolesRequired[0]", "the app id"}}},
		{"rolesRequired without a role name", func(m *model.Manifest) { m.RolesRequired[0] = "platform:directory/" }, []want{{"rolesRequired[0]", "the role name is required"}}},
		{"rolesRequired repeated", func(m *model.Manifest) { m.RolesRequired[1] = m.RolesRequired[0] }, []want{{"rolesRequired[1]", "repeats"}}},
		{"rolesRequired names an own role that is missing", func(m *model.Manifest) { m.RolesRequired[2] = "platform:participants/ghost" },
			[]want{{"rolesRequired[2]", `defines no role "ghost"`}}},
		{"rolesRequired names an own role apps may not hold", func(m *model.Manifest) { m.Roles[2].CanGrantToApps = &no }, []want{{"rolesRequired[2]", "canGrantToApps: false"}}},
		{"group name repeated", func(m *model.Manifest) {
			m.UserGroupsRequired = append(m.UserGroupsRequired, model.UserGroup{GroupName: "admins", Roles: []string{"viewer"}})
		}, []want{{"userGroupsRequired[1].groupName", "unique"}}},
		{"group name missing", func(m *model.Manifest) { m.UserGroupsRequired[0].GroupName = " " }, []want{{"userGroupsRequired[0].groupName", "is required"}}},
		{"group names an unknown role", func(m *model.Manifest) { m.UserGroupsRequired[0].Roles[0] = "platform:participants/editor" },
			[]want{{"userGroupsRequired[0].roles[0]", "is not a role of this app"}}},
		{"group holds a role users may not hold", func(m *model.Manifest) { m.UserGroupsRequired[0].Roles[0] = "robot" },
			[]want{{"userGroupsRequired[0].roles[0]", `"robot" has canGrantToUsers: false`}}},
		{"group repeats a role", func(m *model.Manifest) { m.UserGroupsRequired[0].Roles[1] = "editor" }, []want{{"userGroupsRequired[0].roles[1]", "repeats"}}},
		{"group without roles", func(m *model.Manifest) { m.UserGroupsRequired[0].Roles = nil }, []want{{"userGroupsRequired[0].roles", "is empty"}}},
		{"every problem at once", func(m *model.Manifest) {
			m.AppID = "participants"
			m.Resources[0].ResourcePath = "("
			m.Resources[0].AllowedHTTPMethods[2] = "FETCH"
			m.Resources[1].Permissions[0].HTTPMethod = "POST"
			m.Roles[0].Permissions = []string{"nope"}
			m.Roles[1].RoleName = "viewer"
			m.RolesRequired[0] = "directory-reader"
			m.UserGroupsRequired[0].Roles[0] = "robot"
		}, []want{
			{"appId", "namespace:name"},
			{"resources[0].resourcePath", "RE2"},
			{"resources[0].allowedHttpMethods[2]", `"FETCH"`},
			{"resources[1].permissions[0].httpMethod", "POST is not in"},
			{"roles[0].permissions[0]", `"nope" is not an action`},
			{"roles[1].roleName", "unique"},
			{"rolesRequired[0]", "appId/roleName"},
			{"userGroupsRequired[0].roles[0]", "canGrantToUsers: false"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(m)
			checkProblems(t, m.Validate(), tt.want)
		})
	}
}

// checkProblems compares problems with the wanted fields, in order, each
// message holding the wanted text.
func checkProblems(t *testing.T, got []model.Problem, want []want) {
	t.Helper()
	var gotFields, wantFields []string
	for _, p := range got {
		gotFields = append(gotFields, p.Field)
	}
	for _, w := range want {
		wantFields = append(wantFields, w.field)
	}
	if diff := cmp.Diff(wantFields, gotFields); diff != "" {
		t.Fatalf("fields (-want +got):\n%s\nproblems: %v", diff, got)
	}
	for i, w := range want {
		if !strings.Contains(got[i].Message, w.message) {
			t.Errorf("%s: %q does not say %q", w.field, got[i].Message, w.message)
		}
	}
}

func TestAppIDGrammar(t *testing.T) {
	for id, ok := range map[string]bool{
		"platform:participants":                         true,
		"platform:0b9f5f1e-8c1a-4c1e-9a57-3c1d2b7a9e10": true,
		"acme:a":                              true,
		"platform:" + strings.Repeat("a", 63): true,
		"platform:" + strings.Repeat("a", 64): false,
		"platform:":                           false,
		":participants":                       false,
		"platform:a:b":                        false,
		"platform:-a":                         false,
		"platform:a_b":                        false,
		"platform:a@b":                        false,
		"platform :a":                         false,
	} {
		if model.CheckAppID(id) != ok {
			t.Errorf("CheckAppID(%q) = %v, want %v", id, !ok, ok)
		}
	}
}

func TestValidateVersion(t *testing.T) {
	v := model.NewAppVersion("platform:participants", "1.2.0", valid())
	if ps := v.Validate(); len(ps) > 0 {
		t.Fatalf("valid version: %v", ps)
	}
	v = model.NewAppVersion("platform:other", "1/2", valid())
	v.ID = "x"
	checkProblems(t, v.Validate(), []want{
		{"versionId", "letter or digit"},
		{"_id", `want "platform:other@1/2"`},
		{"manifest.appId", `but the version is of "platform:other"`},
	})
}
