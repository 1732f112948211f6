package model

import (
	"regexp"
	"strings"
)

// Collection names, as stored in MongoDB and used in export files.
const (
	Apps        = "apps"
	Onboardings = "onboardings"
)

// Manifest is what an app declares about itself (SPEC section 6): its
// routes with the permission each method needs, its roles, the roles it
// needs from other apps and the user groups each tenant gets.
type Manifest struct {
	AppID              string        `bson:"appId" json:"appId"`
	Resources          []AppResource `bson:"resources" json:"resources,omitempty"`
	Roles              []AppRole     `bson:"roles" json:"roles,omitempty"`
	RolesRequired      []string      `bson:"rolesRequired" json:"rolesRequired,omitempty"`
	UserGroupsRequired []UserGroup   `bson:"userGroupsRequired" json:"userGroupsRequired,omitempty"`
}

// AppResource is one route of the app: the paths resourcePath matches (RE2,
// anchored as written) and the methods it answers.
type AppResource struct {
	Name               string            `bson:"name" json:"name"`
	ResourcePath       string            `bson:"resourcePath" json:"resourcePath"`
	AllowedHTTPMethods []string          `bson:"allowedHttpMethods" json:"allowedHttpMethods,omitempty"`
	IsActive           *bool             `bson:"isActive,omitempty" json:"isActive,omitempty"`
	Permissions        []RoutePermission `bson:"permissions" json:"permissions,omitempty"`
}

// Active reports isActive with its default (true).
func (r *AppResource) Active() bool { return r.IsActive == nil || *r.IsActive }

// RoutePermission is the action a method of a resource needs.
type RoutePermission struct {
	Action     string `bson:"action" json:"action"`
	HTTPMethod string `bson:"httpMethod" json:"httpMethod"`
	IsActive   *bool  `bson:"isActive,omitempty" json:"isActive,omitempty"`
}

// Active reports isActive with its default (true).
func (p *RoutePermission) Active() bool { return p.IsActive == nil || *p.IsActive }

// AppRole is a role the app defines over its own actions; onboarding writes
// it as the core role appId/roleName.
type AppRole struct {
	RoleName        string   `bson:"roleName" json:"roleName"`
	Permissions     []string `bson:"permissions" json:"permissions,omitempty"`
	CanGrantToApps  *bool    `bson:"canGrantToApps,omitempty" json:"canGrantToApps,omitempty"`
	CanGrantToUsers *bool    `bson:"canGrantToUsers,omitempty" json:"canGrantToUsers,omitempty"`
	IsActive        *bool    `bson:"isActive,omitempty" json:"isActive,omitempty"`
}

// UserGroup is a group every tenant gets, holding roles of this app.
type UserGroup struct {
	GroupName string   `bson:"groupName" json:"groupName"`
	Roles     []string `bson:"roles" json:"roles,omitempty"`
}

// AppVersion is a document of collection apps: one version of one app's
// manifest, with _id AppVersionID(appId, versionId).
type AppVersion struct {
	Meta      `bson:",inline" json:",inline"`
	AppID     string   `bson:"appId" json:"appId"`
	VersionID string   `bson:"versionId" json:"versionId"`
	Manifest  Manifest `bson:"manifest" json:"manifest"`
}

// AppGrant is a role held on a resource URI.
type AppGrant struct {
	Role        string `bson:"role" json:"role"`
	ResourceURI string `bson:"resourceUri" json:"resourceUri"`
}

// Onboarding is a document of collection onboardings: one app onboarded
// to one tenant, with _id OnboardingID(tenantId, appId). Grants are the
// roles the app holds as a principal in that tenant (its rolesRequired,
// each on the other app's TenantAppURI), written by onboarding so that a
// decision for the app reads them as it reads a user's grants.
type Onboarding struct {
	Meta      `bson:",inline" json:",inline"`
	AppID     string     `bson:"appId" json:"appId"`
	VersionID string     `bson:"versionId" json:"versionId"`
	TenantID  string     `bson:"tenantId" json:"tenantId"`
	Grants    []AppGrant `bson:"grants" json:"grants,omitempty"`
}

var (
	// label is one part of an app id: a DNS label, lower case. A UUID
	// written in lower case is one.
	label = `[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?`
	// appIDPattern is namespace:name, for example platform:participants
	// or platform:0b9f5f1e-8c1a-4c1e-9a57-3c1d2b7a9e10.
	appIDPattern = regexp.MustCompile(`^` + label + `:` + label + `$`)
	// versionPattern is a version id: semver and dates fit.
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$`)
)

// CheckAppID reports whether id is namespace:name, both lower-case DNS
// labels (letters, digits, inner hyphens, 1–63 characters); the name may
// be a UUID in lower case. App ids hold no "/" or "@", so the ids built
// from them below split without ambiguity.
func CheckAppID(id string) bool { return appIDPattern.MatchString(id) }

// CheckVersionID reports whether id is a version id: a letter or digit,
// then up to 63 letters, digits, ".", "_", "+" or "-".
func CheckVersionID(id string) bool { return versionPattern.MatchString(id) }

// AppVersionID is the _id of an app version: appId@versionId.
func AppVersionID(appID, versionID string) string { return appID + "@" + versionID }

// OnboardingID is the _id of an onboarding: tenantId/appId. Onboarding
// refuses tenant ids that are not one URI segment, so "/" cannot occur in
// either part.
func OnboardingID(tenantID, appID string) string { return tenantID + "/" + appID }

// AppRoleID is the core role an app role becomes: appId/roleName, the same
// in every tenant.
func AppRoleID(appID, roleName string) string { return appID + "/" + roleName }

// SplitAppRoleID splits appId/roleName at the first "/", as rolesRequired
// entries are written.
func SplitAppRoleID(id string) (appID, roleName string, ok bool) {
	return strings.Cut(id, "/")
}

// TenantAppURI is the resource an app's grants in a tenant are made on:
// tenants/{tenantId}/apps/{appId}.
func TenantAppURI(tenantID, appID string) string {
	return "tenants/" + tenantID + "/apps/" + appID
}

// AppGroupID is the id of the group a tenant gets for a user group of an
// app: tenants/{tenantId}/apps/{appId}/groups/{groupName}. Its access
// record, granting the group's roles on TenantAppURI, has the same id.
func AppGroupID(tenantID, appID, groupName string) string {
	return TenantAppURI(tenantID, appID) + "/groups/" + groupName
}

// OnboardingOwned reports whether a document of collection with this id
// can only be written by onboarding: a role appId/roleName, or a group or
// record tenants/{t}/apps/{appId}/groups/{name}. A group's users may
// still be changed (see the writes service); nothing else may.
func OnboardingOwned(collection, id string) bool {
	switch collection {
	case Roles:
		app, _, ok := SplitAppRoleID(id)
		return ok && CheckAppID(app)
	case Groups, Records:
		rest, ok := strings.CutPrefix(id, "tenants/")
		if !ok {
			return false
		}
		_, rest, _ = strings.Cut(rest, "/")
		rest, ok = strings.CutPrefix(rest, "apps/")
		app, _, _ := strings.Cut(rest, "/")
		return ok && CheckAppID(app)
	}
	return false
}
