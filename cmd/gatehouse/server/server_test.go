package server

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/loader/mongostore"
)

// TestConfigValidate: Config.Validate reports its own problems and those
// of the parts it holds, the store's among them, all at once.
func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none: valid
	}{
		{"embedded store on loopback", Config{Addr: DefaultAddr, Store: mongostore.Config{DataDir: "d"}}, nil},
		{"every problem", Config{
			Addr:              "0.0.0.0:8181",
			DecisionCacheSize: -1,
			DecisionLog:       "file:",
			Store:             mongostore.Config{Timeout: -time.Second},
			HTTP:              HTTPConfig{IdleTimeout: -time.Second},
		}, []string{"only listens on loopback", "decision cache size", "decision log", "either a mongo uri or a data dir", "mongo timeout", "http idle timeout"}},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if (err != nil) != (len(tt.want) > 0) {
			t.Errorf("%s: Validate() = %v, want problems %v", tt.name, err, tt.want)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v lacks %q", tt.name, err, w)
			}
		}
	}
}
