package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/loader"
)

// openStore connects to --mongo-uri, or starts the embedded store in
// --data-dir when no URI is given. The returned func closes everything.
func openStore(ctx context.Context, c commonFlags, log *slog.Logger) (*loader.Mongo, func(), error) {
	uri, closeEmbedded := c.mongoURI, func() {}
	if uri == "" {
		emb, unlock, err := startEmbedded(c.dataDir, "127.0.0.1:0", log)
		if err != nil {
			return nil, nil, err
		}
		uri, closeEmbedded = emb.URI(), func() { emb.Close(); unlock() }
	}
	m, err := loader.Open(ctx, loader.Config{URI: uri, Database: c.database, Timeout: c.mongoTimeout}, log)
	if err != nil {
		closeEmbedded()
		return nil, nil, err
	}
	return m, func() { _ = m.Close(context.Background()); closeEmbedded() }, nil
}

// startEmbedded locks dir for this process and starts FerretDB in it.
func startEmbedded(dir, addr string, log *slog.Logger) (*loader.Embedded, func(), error) {
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, nil, err
	}
	emb, err := loader.StartEmbedded(dir, addr, log)
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

func runStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("store", pflag.ContinueOnError)
	var c commonFlags
	var addr string
	fs.StringVar(&c.dataDir, "data-dir", "./gatehouse-data", "directory of the embedded store")
	fs.StringVar(&addr, "addr", "127.0.0.1:27017", "address to listen on")
	fs.StringVar(&c.configFile, "config", "", "YAML or JSON config file")
	if err := parse(fs, args, &c.configFile); err != nil {
		return err
	}
	log := newLogger(stderr)
	emb, unlock, err := startEmbedded(c.dataDir, addr, log)
	if err != nil {
		return err
	}
	defer unlock()
	defer emb.Close()
	fmt.Fprintf(stdout, "embedded store serving %s from %s\n", emb.URI(), c.dataDir)
	<-ctx.Done()
	return nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
