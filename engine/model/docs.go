// Package model holds gatehouse's stored documents (SPEC section 2), their
// validation, and the one Go definition of how resource URIs and actions
// are normalized and parsed (TrimURI, FoldAction, NormalizeURI,
// ActionSegments, Covers; the Rego's gatehouse.match mirrors it). It
// imports neither the engine, OPA, Gin nor the MongoDB driver, so every
// layer can share it.
package model

import "time"

// Collection names, as stored in MongoDB and used in export files.
const (
	Roles         = "roles"
	Records       = "records"
	Groups        = "groups"
	Memberships   = "memberships"
	Extensions    = "extensions"
	Installations = "installations"
	Tenants       = "tenants"
	Policies      = "policies"
)

// Collections lists every collection in load order.
var Collections = []string{Roles, Records, Groups, Memberships, Extensions, Installations, Tenants, Apps, Onboardings, Policies}

// Record and installation statuses.
const (
	StatusActive   = "ACTIVE"
	StatusDeleted  = "DELETED"
	StatusDisabled = "DISABLED"
)

// Meta is carried by every document.
type Meta struct {
	ID        string    `bson:"_id" json:"_id"`
	UpdatedAt time.Time `bson:"updatedAt" json:"updatedAt"`
	Version   int64     `bson:"version" json:"version"`
}

// Permission is one action of a role. Allow defaults to true.
type Permission struct {
	Action   string `bson:"action" json:"action"`
	Allow    *bool  `bson:"allow,omitempty" json:"allow,omitempty"`
	Grant    bool   `bson:"grant" json:"grant"`
	Delegate bool   `bson:"delegate" json:"delegate"`
}

// Allows reports the allow flag with its default.
func (p Permission) Allows() bool { return p.Allow == nil || *p.Allow }

// Role is a named set of permissions.
type Role struct {
	Meta            `bson:",inline" json:",inline"`
	Name            string       `bson:"name" json:"name"`
	Description     string       `bson:"description,omitempty" json:"description,omitempty"`
	Permissions     []Permission `bson:"permissions" json:"permissions,omitempty"`
	IsActive        *bool        `bson:"isActive,omitempty" json:"isActive,omitempty"`
	CanGrantToUsers *bool        `bson:"canGrantToUsers,omitempty" json:"canGrantToUsers,omitempty"`
	CanGrantToApps  *bool        `bson:"canGrantToApps,omitempty" json:"canGrantToApps,omitempty"`
}

// Active reports isActive with its default (true).
func (r Role) Active() bool { return r.IsActive == nil || *r.IsActive }

// GrantsToUsers reports canGrantToUsers with its default (true): when
// false the role never goes into a record or membership, which give to
// users and groups.
func (r Role) GrantsToUsers() bool { return r.CanGrantToUsers == nil || *r.CanGrantToUsers }

// GrantsToApps reports canGrantToApps with its default (true): when false
// the role never goes to an app or installation. Installations carry no
// roles today; the write path that gives roles to apps enforces it.
func (r Role) GrantsToApps() bool { return r.CanGrantToApps == nil || *r.CanGrantToApps }

// UserRef names a user.
type UserRef struct {
	UserID string `bson:"userId" json:"userId"`
}

// GroupRef names a group.
type GroupRef struct {
	GroupID string `bson:"groupId" json:"groupId"`
}

// ResourceRef names a resource URI pattern.
type ResourceRef struct {
	ResourceURI string `bson:"resourceUri" json:"resourceUri"`
}

// Statement gives roles on resources, to its own users and groups or to the record's.
type Statement struct {
	Roles     []string      `bson:"roles" json:"roles,omitempty"`
	Resources []ResourceRef `bson:"resources" json:"resources,omitempty"`
	Users     []UserRef     `bson:"users,omitempty" json:"users,omitempty"`
	Groups    []GroupRef    `bson:"groups,omitempty" json:"groups,omitempty"`
}

// Record is an access record. RecordID is Authress's name for the id: it
// is read on input (see ApplyDefaults), never stored, and always written
// out equal to _id (MarshalJSON).
type Record struct {
	Meta       `bson:",inline" json:",inline"`
	RecordID   string      `bson:"-" json:"recordId,omitempty"`
	Name       string      `bson:"name" json:"name"`
	Status     string      `bson:"status" json:"status"`
	Users      []UserRef   `bson:"users,omitempty" json:"users,omitempty"`
	Groups     []GroupRef  `bson:"groups,omitempty" json:"groups,omitempty"`
	Statements []Statement `bson:"statements" json:"statements,omitempty"`
	ExpiresAt  *time.Time  `bson:"expiresAt,omitempty" json:"expiresAt,omitempty"`
}

// Principals returns whom a statement of r gives its roles to: the
// statement's own users and groups, else (when it names none) the record's.
func (r *Record) Principals(st *Statement) ([]UserRef, []GroupRef) {
	if len(st.Users)+len(st.Groups) == 0 {
		return r.Users, r.Groups
	}
	return st.Users, st.Groups
}

// Group is a named set of users.
type Group struct {
	Meta  `bson:",inline" json:",inline"`
	Name  string    `bson:"name" json:"name"`
	Users []UserRef `bson:"users" json:"users,omitempty"`
}

// Membership gives a user roles in a context.
type Membership struct {
	Meta      `bson:",inline" json:",inline"`
	UserID    string     `bson:"userId" json:"userId"`
	Context   string     `bson:"context" json:"context"`
	Roles     []string   `bson:"roles" json:"roles,omitempty"`
	ExpiresAt *time.Time `bson:"expiresAt,omitempty" json:"expiresAt,omitempty"`
}

// Extension is a third-party extension and the permissions it asks for.
type Extension struct {
	Meta        `bson:",inline" json:",inline"`
	Name        string   `bson:"name" json:"name"`
	Permissions []string `bson:"permissions" json:"permissions,omitempty"`
}

// Installation is an extension installed into a context.
type Installation struct {
	Meta                 `bson:",inline" json:",inline"`
	ExtensionID          string   `bson:"extensionId" json:"extensionId"`
	Context              string   `bson:"context" json:"context"`
	Resources            []string `bson:"resources,omitempty" json:"resources,omitempty"`
	ConsentedPermissions []string `bson:"consentedPermissions" json:"consentedPermissions,omitempty"`
	InstalledBy          string   `bson:"installedBy" json:"installedBy"`
	Status               string   `bson:"status" json:"status"`
}

// Scope returns the installation's resources, defaulting to its context.
func (i Installation) Scope() []string {
	if len(i.Resources) == 0 {
		return []string{i.Context}
	}
	return i.Resources
}

// Tenant is a customer of the platform.
type Tenant struct {
	Meta    `bson:",inline" json:",inline"`
	Name    string `bson:"name" json:"name"`
	StackID string `bson:"stackId,omitempty" json:"stackId,omitempty"`
}

// Policy is a custom Rego module added by a policy author.
type Policy struct {
	Meta   `bson:",inline" json:",inline"`
	Source string `bson:"source" json:"source"`
}

// Snapshot is every collection at one moment, as read by the loader.
type Snapshot struct {
	Roles         []Role         `json:"roles,omitempty"`
	Records       []Record       `json:"records,omitempty"`
	Groups        []Group        `json:"groups,omitempty"`
	Memberships   []Membership   `json:"memberships,omitempty"`
	Extensions    []Extension    `json:"extensions,omitempty"`
	Installations []Installation `json:"installations,omitempty"`
	Tenants       []Tenant       `json:"tenants,omitempty"`
	Apps          []AppVersion   `json:"apps,omitempty"`
	Onboardings   []Onboarding   `json:"onboardings,omitempty"`
	Policies      []Policy       `json:"policies,omitempty"`
}

// Counts returns the number of documents per collection.
func (s *Snapshot) Counts() map[string]int {
	out := make(map[string]int, len(kinds))
	for c, k := range kinds {
		out[c] = len(k.docs(s))
	}
	return out
}
