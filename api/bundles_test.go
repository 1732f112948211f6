package api

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/bundles"
)

func TestPreferWait(t *testing.T) {
	tests := map[string]time.Duration{
		"":                            0,
		"wait=30":                     30 * time.Second,
		"modes=snapshot,delta;wait=5": 5 * time.Second,
		"wait=0":                      0,
		"wait=-3":                     0,
		"wait=abc":                    0,
		"wait=100000":                 bundles.MaxWait,
	}
	for prefer, want := range tests {
		if got := preferWait(prefer); got != want {
			t.Errorf("preferWait(%q) = %v, want %v", prefer, got, want)
		}
	}
}
