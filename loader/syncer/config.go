package syncer

import (
	"errors"
	"fmt"
	"time"
)

// Defaults for Config.
const (
	DefaultInterval        = time.Second
	DefaultResyncInterval  = 30 * time.Second
	DefaultChangeRetention = 10 * time.Minute
)

// Config tunes how a server follows the store; a zero field means its
// default.
type Config struct {
	// Interval is the change-log poll period, and how often a change
	// stream's unread documents are tried again; DefaultInterval.
	Interval time.Duration
	// ResyncInterval is the full read and diff period that catches
	// outside writes (change-log trimming under change streams);
	// DefaultResyncInterval.
	ResyncInterval time.Duration
	// ChangeRetention is how old change-log entries grow before they are
	// trimmed; DefaultChangeRetention.
	ChangeRetention time.Duration
}

// Validate reports every problem with the config.
func (c Config) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"sync interval", c.Interval}, {"resync interval", c.ResyncInterval}, {"change retention", c.ChangeRetention}} {
		if f.d < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative", f.name))
		}
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.ResyncInterval <= 0 {
		c.ResyncInterval = DefaultResyncInterval
	}
	if c.ChangeRetention <= 0 {
		c.ChangeRetention = DefaultChangeRetention
	}
	return c
}
