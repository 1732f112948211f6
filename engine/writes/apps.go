package writes

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/apps"
	"github.com/gatehouse/gatehouse/engine/model"
)

// OnboardPermission is what a user needs on tenants/{tenantId} to onboard
// an app there, or to remove it, on their own behalf.
const OnboardPermission = "apps:onboard"

// OnboardRequest is the body of POST /v1/apps/{appId}/onboard: one
// version to one tenant, or to every tenant of a stack.
type OnboardRequest struct {
	VersionID string `json:"versionId"`
	TenantID  string `json:"tenantId,omitempty"`
	StackID   string `json:"stackId,omitempty"`
}

// Onboarded is the outcome of an onboarding or offboarding.
type Onboarded struct {
	Answer  apps.Answer
	Pending bool // stored but not applied here (see Result.Pending)
}

// PutAppVersion stores manifest m as versionId of appId. A version that
// is onboarded somewhere cannot change (409): upload a new version and
// onboard it. It is never made on behalf of a user.
func (s *Service) PutAppVersion(ctx context.Context, appID, versionID string, m *model.Manifest, o Options) (Result, error) {
	if o.Actor != "" {
		return Result{}, forbiddenError("app versions cannot be uploaded on behalf of a user; use an API key with the write scope")
	}
	v := model.NewAppVersion(appID, versionID, m)
	if ps := v.Validate(); len(ps) > 0 {
		return Result{}, invalid(ps)
	}
	old, err := s.store.Get(ctx, model.Apps, v.ID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return Result{}, err
	}
	if old != nil && !reflect.DeepEqual(old.(*model.AppVersion).Manifest, v.Manifest) {
		tenants, err := s.onboardedWith(ctx, appID, versionID)
		if err != nil {
			return Result{}, err
		}
		if len(tenants) > 0 {
			return Result{}, conflict(fmt.Sprintf("version %s of %s is onboarded to %s: upload a new version and onboard it", versionID, appID, strings.Join(tenants, ", ")))
		}
	}
	stored, err := s.store.Put(ctx, model.Apps, v, o.IfMatch)
	if err != nil {
		return Result{}, err
	}
	return s.apply(ctx, model.Apps, v.ID, stored), nil
}

// Onboard compiles a version of appID into the core model for the tenant
// or the stack's tenants and writes it as one batch (see apps.Onboard).
func (s *Service) Onboard(ctx context.Context, appID string, req OnboardRequest, o Options) (Onboarded, error) {
	if ps := append(appProblems(appID), req.problems()...); len(ps) > 0 {
		return Onboarded{}, invalid(ps)
	}
	s.onboarding.Lock()
	defer s.onboarding.Unlock()
	v, err := s.store.Get(ctx, model.Apps, model.AppVersionID(appID, req.VersionID))
	if err != nil {
		return Onboarded{}, err
	}
	tenants, err := s.tenantsOf(ctx, req)
	if err != nil {
		return Onboarded{}, err
	}
	if err := s.mayOnboard(ctx, o.Actor, tenants); err != nil {
		return Onboarded{}, err
	}
	st, err := s.appState(ctx, appID, tenants)
	if err != nil {
		return Onboarded{}, err
	}
	res, err := apps.Onboard(apps.Request{Version: v.(*model.AppVersion), Tenants: st.tenants, Elsewhere: st.elsewhere})
	if err != nil {
		return Onboarded{}, onboardError(err)
	}
	pending, err := s.writeBatch(ctx, res.Changes, st.versions)
	return Onboarded{Answer: res.Answer, Pending: pending}, err
}

// Offboard removes everything onboarding appID wrote to tenantID.
func (s *Service) Offboard(ctx context.Context, appID, tenantID string, o Options) (Onboarded, error) {
	ps := appProblems(appID)
	if err := model.CheckTenantID(tenantID); err != nil {
		ps = append(ps, model.Problem{Field: "tenantId", Message: err.Error()})
	}
	if len(ps) > 0 {
		return Onboarded{}, invalid(ps)
	}
	s.onboarding.Lock()
	defer s.onboarding.Unlock()
	if err := s.mayOnboard(ctx, o.Actor, []string{tenantID}); err != nil {
		return Onboarded{}, err
	}
	st, err := s.appState(ctx, appID, []string{tenantID})
	if err != nil {
		return Onboarded{}, err
	}
	res, err := apps.Offboard(appID, st.tenants, st.elsewhere)
	if errors.Is(err, apps.ErrNotOnboarded) {
		return Onboarded{}, fmt.Errorf("%w: %w", err, model.ErrNotFound)
	}
	if err != nil {
		return Onboarded{}, onboardError(err)
	}
	pending, err := s.writeBatch(ctx, res.Changes, st.versions)
	return Onboarded{Pending: pending}, err
}

func (r OnboardRequest) problems() []model.Problem {
	var ps model.Problems
	if !model.CheckVersionID(r.VersionID) {
		ps.Add("versionId", "must be the id of an uploaded version of the app")
	}
	if (r.TenantID == "") == (r.StackID == "") {
		ps.Add("tenantId", "give exactly one of tenantId and stackId")
	} else if r.TenantID != "" {
		if err := model.CheckTenantID(r.TenantID); err != nil {
			ps.Add("tenantId", "%v", err)
		}
	}
	if r.StackID != "" {
		if err := model.CheckID(r.StackID); err != nil {
			ps.Add("stackId", "%v", err)
		}
	}
	return ps.List()
}

// appProblems checks the app id a request's path names.
func appProblems(appID string) []model.Problem {
	if model.CheckAppID(appID) {
		return nil
	}
	return []model.Problem{{Field: "appId", Message: model.AppIDRule}}
}

// onboardError maps apps.Onboard's refusals to the service's errors.
func onboardError(err error) error {
	var bad *model.ValidationError
	var con *apps.ConflictError
	switch {
	case errors.As(err, &bad):
		return invalid(bad.Problems)
	case errors.As(err, &con):
		return conflict(con.Error(), con.Problems...)
	}
	return err
}

// mayOnboard checks that user, when set, holds OnboardPermission on each
// tenant, listing every tenant where they do not.
func (s *Service) mayOnboard(ctx context.Context, user string, tenants []string) error {
	if user == "" {
		return nil
	}
	var ps []model.Problem
	for _, t := range tenants {
		d, err := s.engine.Decide(ctx, engine.Input{User: user, Resource: "tenants/" + t, Permission: OnboardPermission})
		if err != nil {
			return err
		}
		if !d.Allowed {
			ps = append(ps, model.Problem{Field: "tenants/" + t, Message: fmt.Sprintf("%s needs allow on %q at tenants/%s", user, OnboardPermission, t)})
		}
	}
	if len(ps) > 0 {
		return forbiddenError(user+" may not onboard apps here", ps...)
	}
	return nil
}
