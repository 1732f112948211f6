package model

import (
	"fmt"
)

// DecodeManifest decodes a manifest from JSON, or from YAML when asYAML,
// as strictly as every other body: a repeated key, null or a wrong type
// where a value belongs and an unknown field are errors
// (*MalformedError, *ShapeError listing every field). It does
// not validate: call Validate.
func DecodeManifest(raw []byte, asYAML bool) (*Manifest, error) {
	if asYAML {
		var err error
		if raw, err = YAMLToJSON(raw); err != nil {
			return nil, err
		}
	}
	var m Manifest
	if err := DecodeJSON(raw, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// NewAppVersion makes the apps document for a manifest uploaded as
// versionId of appId, as PUT /v1/apps/{appId}/versions/{versionId} does.
func NewAppVersion(appID, versionID string, m *Manifest) *AppVersion {
	return &AppVersion{
		Meta:      Meta{ID: AppVersionID(appID, versionID)},
		AppID:     appID,
		VersionID: versionID,
		Manifest:  *m,
	}
}

// Validate checks an app version: its ids agree with each other and with
// the manifest, and the manifest is valid (Manifest.Validate, its fields
// under "manifest.").
func (v *AppVersion) Validate() []Problem {
	var ps Problems
	checkAppAndVersion(&ps, v.AppID, v.VersionID)
	if want := AppVersionID(v.AppID, v.VersionID); v.ID != want {
		ps.Add("_id", "is %q, want %q (appId@versionId)", v.ID, want)
	}
	if v.Manifest.AppID != v.AppID {
		ps.Add("manifest.appId", "is %q but the version is of %q", v.Manifest.AppID, v.AppID)
	}
	out := ps.List()
	for _, p := range v.Manifest.Validate() {
		p.Field = "manifest." + p.Field
		out = append(out, p)
	}
	return out
}

// Validate checks an onboarding document read from the store: ids in
// their grammar, the _id agreeing with them, grants naming a role and a
// valid resource URI.
func (o *Onboarding) Validate() []Problem {
	var ps Problems
	checkAppAndVersion(&ps, o.AppID, o.VersionID)
	if err := CheckTenantID(o.TenantID); err != nil {
		ps.Add("tenantId", "%v", err)
	}
	if want := OnboardingID(o.TenantID, o.AppID); o.ID != want {
		ps.Add("_id", "is %q, want %q (tenantId/appId)", o.ID, want)
	}
	for i, g := range o.Grants {
		if err := CheckID(g.Role); err != nil {
			ps.Add(fmt.Sprintf("grants[%d].role", i), "%v", err)
		}
		if _, err := NormalizeURI(g.ResourceURI); err != nil {
			ps.Add(fmt.Sprintf("grants[%d].resourceUri", i), "%v", err)
		}
	}
	return ps.List()
}

// checkAppAndVersion checks an app id and a version id in their grammars.
func checkAppAndVersion(ps *Problems, appID, versionID string) {
	if !CheckAppID(appID) {
		ps.Add("appId", "%s", AppIDRule)
	}
	if !CheckVersionID(versionID) {
		ps.Add("versionId", "%s", versionRule)
	}
}
