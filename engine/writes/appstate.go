package writes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/apps"
	"github.com/gatehouse/gatehouse/engine/model"
)

// listPage is how many documents one List call of a scan reads.
const listPage = 500

// scan calls f with every stored document of collection whose _id starts
// with prefix, in _id order.
func (s *Service) scan(ctx context.Context, collection, prefix string, f func(model.Document)) error {
	after := prefix
	for {
		docs, err := s.store.List(ctx, collection, after, listPage)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if !strings.HasPrefix(d.DocMeta().ID, prefix) {
				return nil
			}
			f(d)
		}
		if len(docs) < listPage {
			return nil
		}
		after = docs[len(docs)-1].DocMeta().ID
	}
}

// tenantsOf returns the tenant the request names, which must exist, or
// every tenant of its stack, of which there must be one.
func (s *Service) tenantsOf(ctx context.Context, req OnboardRequest) ([]string, error) {
	if req.TenantID != "" {
		if _, err := s.store.Get(ctx, model.Tenants, req.TenantID); errors.Is(err, model.ErrNotFound) {
			return nil, invalid([]model.Problem{{Field: "tenantId", Message: fmt.Sprintf("unknown tenant %q", req.TenantID)}})
		} else if err != nil {
			return nil, err
		}
		return []string{req.TenantID}, nil
	}
	var out []string
	err := s.scan(ctx, model.Tenants, "", func(d model.Document) {
		if d.(*model.Tenant).StackID == req.StackID {
			out = append(out, d.DocMeta().ID)
		}
	})
	if err == nil && len(out) == 0 {
		err = invalid([]model.Problem{{Field: "stackId", Message: fmt.Sprintf("no tenant has stackId %q", req.StackID)}})
	}
	return out, err
}

// appState is what an onboarding of one app reads from the store.
type appState struct {
	tenants   []apps.TenantState
	elsewhere map[string]*model.AppVersion
	// versions are the stored versions of the onboardings read, by _id,
	// so their writes are conditional on them.
	versions map[string]int64
}

// appState reads each tenant's onboardings and the versions they name,
// and where else appID is onboarded.
func (s *Service) appState(ctx context.Context, appID string, tenants []string) (*appState, error) {
	st := &appState{elsewhere: map[string]*model.AppVersion{}, versions: map[string]int64{}}
	byTenant := map[string]*apps.TenantState{}
	for _, t := range tenants {
		st.tenants = append(st.tenants, apps.TenantState{TenantID: t, Apps: map[string]*model.Manifest{}})
	}
	for i := range st.tenants {
		byTenant[st.tenants[i].TenantID] = &st.tenants[i]
	}
	var onboardings []*model.Onboarding
	err := s.scan(ctx, model.Onboardings, "", func(d model.Document) {
		o := d.(*model.Onboarding)
		if byTenant[o.TenantID] != nil || o.AppID == appID {
			onboardings = append(onboardings, o)
		}
	})
	if err != nil {
		return nil, err
	}
	for _, o := range onboardings {
		v, err := s.version(ctx, o)
		if err != nil {
			return nil, err
		}
		t := byTenant[o.TenantID]
		switch {
		case t == nil:
			st.elsewhere[o.TenantID] = v
		case o.AppID == appID:
			t.Previous = v
			st.versions[o.ID] = o.Version
		default:
			t.Apps[o.AppID] = &v.Manifest
		}
	}
	return st, nil
}

// version reads the app version an onboarding names.
func (s *Service) version(ctx context.Context, o *model.Onboarding) (*model.AppVersion, error) {
	d, err := s.store.Get(ctx, model.Apps, model.AppVersionID(o.AppID, o.VersionID))
	if errors.Is(err, model.ErrNotFound) {
		return nil, fmt.Errorf("onboarding %s names version %s, which is not stored: %w", o.ID, o.VersionID, model.ErrConflict)
	}
	if err != nil {
		return nil, err
	}
	return d.(*model.AppVersion), nil
}

// onboardedWith returns the tenants where versionID of appID is onboarded.
func (s *Service) onboardedWith(ctx context.Context, appID, versionID string) ([]string, error) {
	var out []string
	err := s.scan(ctx, model.Onboardings, "", func(d model.Document) {
		if o := d.(*model.Onboarding); o.AppID == appID && o.VersionID == versionID {
			out = append(out, o.TenantID)
		}
	})
	return out, err
}

// writeBatch writes an onboarding's changes as one batch, conditional on
// the onboardings read (creates on absence), and applies what was stored
// as one change. It reports whether the stored writes are pending.
func (s *Service) writeBatch(ctx context.Context, changes []apps.Change, versions map[string]int64) (bool, error) {
	batch := make([]model.Write, len(changes))
	for i, c := range changes {
		w := model.Write{Collection: c.Collection, ID: c.ID, Doc: c.Doc}
		switch {
		case c.Op == apps.Create:
			w.IfMatch = new(int64)
		case c.Collection == model.Onboardings:
			v := versions[c.ID]
			w.IfMatch = &v
		}
		batch[i] = w
	}
	stored, err := s.store.Batch(ctx, batch)
	if len(stored) == 0 && err != nil {
		return false, err
	}
	applied := make([]engine.Change, len(stored))
	for i, d := range stored {
		applied[i] = engine.Change{Collection: batch[i].Collection, ID: batch[i].ID, Doc: d}
	}
	if _, aerr := s.engine.Apply(ctx, applied); aerr != nil {
		s.log.Warn("onboarding stored but not applied; the next sync applies it", "error", aerr)
		return true, err
	}
	if err != nil && errors.Is(err, model.ErrConflict) {
		return false, conflict(fmt.Sprintf("the onboarding changed concurrently after %d of %d writes; repeat the request to finish it", len(stored), len(batch)))
	}
	return false, err
}
