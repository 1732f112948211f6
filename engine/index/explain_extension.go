package index

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/engine/model"
)

// The installation's side of an explanation: its scope and consent, each
// with whether it covers the request, and the misses they cause.

// extensionSide lists the installation's side of the request, with the
// checks View.Decide and consented make.
func (v *View) extensionSide(in Input, req *request) *ExtensionSide {
	x := &ExtensionSide{Installation: in.Installation, Scope: []SideResource{}, Consented: []SidePermission{}, Requested: []SidePermission{}}
	inst, _ := v.installations.get(in.Installation)
	if inst == nil {
		return x
	}
	x.Extension, x.Status = inst.extension, inst.status
	x.Covers.Status = inst.status == "ACTIVE"
	for _, r := range inst.resources {
		covers := model.Covers(r.segs, req.segs)
		x.Scope = append(x.Scope, SideResource{Resource: r.resource, Covers: covers})
		x.Covers.Scope = x.Covers.Scope || covers
	}
	x.Consented, x.Covers.Consent = sidePermissions(inst.consented, req.action)
	if ext, ok := v.extensions.get(inst.extension); ok {
		x.Requested, x.Covers.Requested = sidePermissions(ext.permissions, req.action)
	}
	return x
}

// sidePermissions lists patterns and whether each implies the action.
func sidePermissions(patterns [][]string, action []string) ([]SidePermission, bool) {
	out, covered := []SidePermission{}, false
	for _, p := range patterns {
		covers := model.Covers(p, action)
		out = append(out, SidePermission{Permission: patternText(p), Covers: covers})
		covered = covered || covers
	}
	return out, covered
}

// patternText writes pattern segments back: "*" for none, else with ":*"
// for the trailing "*" PatternSegments dropped.
func patternText(segs []string) string {
	if len(segs) == 0 {
		return "*"
	}
	return strings.Join(segs, ":") + ":*"
}

// extensionMisses names each installation check that fails, in the
// decision's order, on the subject's first chain (zero without one).
func extensionMisses(x *ExtensionSide, req *request, chain ExplainPath) []NearMiss {
	chain.Installation = x.Installation
	if chain.Principal == "" {
		chain.Principal = "installation"
	}
	miss := func(reason, format string, args ...any) NearMiss {
		return NearMiss{Reason: reason, Message: fmt.Sprintf(format, args...), ExplainPath: chain}
	}
	var out []NearMiss
	switch {
	case x.Status == "":
		return []NearMiss{miss(MissStatus, "installation %s does not exist", x.Installation)}
	case !x.Covers.Status:
		out = append(out, miss(MissStatus, "installation %s is %s, not ACTIVE", x.Installation, x.Status))
	}
	if !x.Covers.Scope {
		out = append(out, miss(MissScope, "the scope of installation %s does not cover %s", x.Installation, req.uri))
	}
	switch {
	case !x.Covers.Consent:
		out = append(out, miss(MissConsent, "installation %s has not consented to %s", x.Installation, req.actionText()))
	case !x.Covers.Requested:
		out = append(out, miss(MissConsent, "extension %s no longer requests %s", x.Extension, req.actionText()))
	}
	return out
}

// installationPaths are an installation's own chains when it acts alone:
// each scope resource covering the request, with a consented pattern
// implying the action.
func installationPaths(x *ExtensionSide) []ExplainPath {
	consent := ""
	if i := slices.IndexFunc(x.Consented, func(p SidePermission) bool { return p.Covers }); i >= 0 {
		consent = x.Consented[i].Permission
	}
	out := []ExplainPath{}
	for _, r := range x.Scope {
		if r.Covers {
			out = append(out, ExplainPath{Principal: "installation", Installation: x.Installation, Kind: "installation",
				ID: x.Installation, Permission: consent, Resource: r.Resource})
		}
	}
	slices.SortFunc(out, comparePaths)
	return slices.Compact(out)
}
