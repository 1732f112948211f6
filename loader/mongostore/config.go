package mongostore

import (
	"errors"
	"time"
)

// Defaults for Config.
const (
	DefaultDatabase = "gatehouse"
	DefaultTimeout  = 5 * time.Second
	// DefaultDataDir is where the embedded store keeps its files.
	DefaultDataDir = "./gatehouse-data"
	// embeddedAddr lets the embedded store Open starts pick a free port.
	embeddedAddr = "127.0.0.1:0"
)

// Config says which store to use: the MongoDB at URI, or the embedded
// store (FerretDB over SQLite) in DataDir when URI is empty.
type Config struct {
	// URI is the mongodb:// connection string; empty runs the embedded
	// store in DataDir.
	URI string
	// Database is the database name; DefaultDatabase when empty.
	Database string
	// DataDir holds the embedded store's files when URI is empty; one
	// process at a time holds it.
	DataDir string
	// Timeout bounds server selection and each operation; DefaultTimeout
	// when zero.
	Timeout time.Duration
	// Lazy skips the check that the store answers, for servers that start
	// before their store and retry until it does.
	Lazy bool
}

// Validate reports every problem with the config.
func (c Config) Validate() error {
	var errs []error
	if c.URI == "" && c.DataDir == "" {
		errs = append(errs, errors.New("either a mongo uri or a data dir is required"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("mongo timeout must not be negative"))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}
