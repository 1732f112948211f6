package mongostore

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is a FerretDB server with its SQLite files under a directory,
// speaking the MongoDB wire protocol on a local TCP address.
type Embedded struct {
	db     *ferretdb.FerretDB
	cancel context.CancelFunc
	done   chan struct{}
	unlock func() // releases the directory's lock; nil when none was taken
}

// StartEmbedded starts FerretDB with its data in dir, listening on addr
// ("127.0.0.1:0" picks a free port). Close stops it.
func StartEmbedded(dir, addr string, log *slog.Logger) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	db, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    quiet(log),
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{db: db, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = db.Run(ctx)
	}()
	return e, nil
}

// URI returns the MongoDB connection string of the running store.
func (e *Embedded) URI() string { return e.db.MongoDBURI() }

// Close stops the store, waits for it to release its files and releases
// the directory's lock when it holds one.
func (e *Embedded) Close() {
	e.cancel()
	<-e.done
	if e.unlock != nil {
		e.unlock()
	}
}

// StartEmbeddedLocked is StartEmbedded holding an exclusive lock on
// dir/.lock for as long as the store runs, so two processes never open
// the same files; it returns an error naming dir when another process
// holds it.
func StartEmbeddedLocked(dir, addr string, log *slog.Logger) (*Embedded, error) {
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	e, err := StartEmbedded(dir, addr, log)
	if err != nil {
		unlock()
		return nil, err
	}
	e.unlock = unlock
	return e, nil
}

// lockDir takes an exclusive lock on dir/.lock; the func releases it.
func lockDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("the embedded store in %s is held by another process (stop it, or reach it with --mongo-uri)", dir)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// quiet keeps FerretDB's own logging to errors: it warns on every command it lacks.
func quiet(log *slog.Logger) *slog.Logger {
	return slog.New(levelFilter{Handler: log.Handler(), min: slog.LevelError})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

func (f levelFilter) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFilter{Handler: f.Handler.WithAttrs(as), min: f.min}
}

func (f levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{Handler: f.Handler.WithGroup(name), min: f.min}
}
