package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/loader/mongostore"
)

// Defaults for StoreConfig.
const (
	DefaultDataDir      = "./gatehouse-data"
	DefaultDatabase     = mongostore.DefaultDatabase
	DefaultMongoTimeout = mongostore.DefaultTimeout
)

// StoreConfig says which store to use: MongoURI, or the embedded store in DataDir.
//
// TODO(issue 11): fold into the store package's own Config once
// loader.Config moves to loader/store; only DataDir (the embedded store)
// is this package's own.
type StoreConfig struct {
	MongoURI string        // empty: run the embedded store in DataDir
	Database string        // MongoDB database
	DataDir  string        // embedded store directory
	Timeout  time.Duration // how long to wait for MongoDB
	Lazy     bool          // start even while MongoDB does not answer yet
}

// Validate reports every problem with the config.
func (c StoreConfig) Validate() error {
	var errs []error
	if c.MongoURI == "" && c.DataDir == "" {
		errs = append(errs, errors.New("either a mongo uri or a data dir is required"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("mongo timeout must not be negative"))
	}
	return errors.Join(errs...)
}

// OpenStore connects to MongoURI, or starts the embedded store in DataDir
// when no URI is given. The returned func closes everything.
func OpenStore(ctx context.Context, c StoreConfig, log *slog.Logger) (*mongostore.Store, func(), error) {
	uri, closeEmbedded := c.MongoURI, func() {}
	if uri == "" {
		emb, unlock, err := StartEmbedded(c.DataDir, "127.0.0.1:0", log)
		if err != nil {
			return nil, nil, err
		}
		uri, closeEmbedded = emb.URI(), func() { emb.Close(); unlock() }
	}
	m, err := mongostore.Open(ctx, mongostore.Config{URI: uri, Database: c.Database, Timeout: c.Timeout, Lazy: c.Lazy}, log)
	if err != nil {
		closeEmbedded()
		return nil, nil, err
	}
	return m, func() { _ = m.Close(context.Background()); closeEmbedded() }, nil
}

// StartEmbedded locks dir for this process and starts FerretDB in it.
func StartEmbedded(dir, addr string, log *slog.Logger) (*mongostore.Embedded, func(), error) {
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, nil, err
	}
	emb, err := mongostore.StartEmbedded(dir, addr, log)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return emb, unlock, nil
}

// lockDir takes an exclusive lock on dir/.lock so two processes never open
// the same embedded store.
func lockDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("the embedded store in %s is held by another process (stop it, or reach it with --mongo-uri)", dir)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
