package syncer

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero config (defaults): %v", err)
	}
	err := Config{Interval: -1, ResyncInterval: -time.Second, ChangeRetention: -time.Minute}.Validate()
	for _, w := range []string{"sync interval", "resync interval", "change retention"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Validate() = %v, lacks %q", err, w)
		}
	}
	if got := (Config{}).withDefaults(); got != (Config{DefaultInterval, DefaultResyncInterval, DefaultChangeRetention}) {
		t.Errorf("defaults = %+v", got)
	}
}
