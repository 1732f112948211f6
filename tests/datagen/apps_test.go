package datagen

import (
	"testing"

	"github.com/gatehouse/gatehouse/engine/model"
)

// The generated data set is valid as the store's import checks it,
// manifests included.
func TestSnapshotIsValid(t *testing.T) {
	s := Snapshot(100, 1)
	if ps := s.Validate(); len(ps) > 0 {
		t.Fatalf("%d problems, first %+v", len(ps), ps[0])
	}
	if len(s.Onboardings) == 0 || len(s.Onboardings) == TenantsCount*AppsCount {
		t.Fatalf("%d onboardings: want some tenants without some apps", len(s.Onboardings))
	}
	for _, o := range s.Onboardings {
		if len(o.Grants) == 0 || o.ID != model.OnboardingID(o.TenantID, o.AppID) {
			t.Errorf("onboarding %+v", o)
		}
	}
}
