package mongostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/x/mongo/driver/topology"

	"github.com/gatehouse/gatehouse/engine"
)

// Store reads and writes gatehouse's collections in MongoDB.
type Store struct {
	cfg      Config
	client   *mongo.Client
	db       *mongo.Database
	log      *slog.Logger
	embedded *Embedded // the store Open started; nil with a URI

	mu      sync.Mutex
	skipped map[string]int
	// changesIndexed is set once the change log's "at" index exists.
	changesIndexed atomic.Bool
}

var _ engine.Source = (*Store)(nil)

// Open connects to cfg.URI or, when it is empty, starts the embedded
// store in cfg.DataDir (locked against other processes) and connects to
// it. Unless cfg.Lazy it checks that the store answers, returning an
// error wrapping engine.ErrStoreUnavailable when it does not. An invalid
// cfg returns cfg.Validate's error.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	if cfg.URI != "" {
		return connect(ctx, cfg, log)
	}
	emb, err := StartEmbeddedLocked(cfg.DataDir, embeddedAddr, log)
	if err != nil {
		return nil, err
	}
	cfg.URI = emb.URI()
	m, err := connect(ctx, cfg, log)
	if err != nil {
		emb.Close()
		return nil, err
	}
	m.embedded = emb
	return m, nil
}

func connect(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	opts := options.Client().ApplyURI(cfg.URI).
		SetServerSelectionTimeout(cfg.Timeout).
		SetConnectTimeout(cfg.Timeout).
		SetTimeout(cfg.Timeout)
	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := client.Ping(ctx, nil); err != nil && !cfg.Lazy {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("%w: ping %s: %w", engine.ErrStoreUnavailable, cfg.URI, err)
	}
	return &Store{cfg: cfg, client: client, db: client.Database(cfg.Database), log: log, skipped: map[string]int{}}, nil
}

// Close disconnects, and stops the embedded store if Open started one.
func (m *Store) Close(ctx context.Context) error {
	err := m.client.Disconnect(ctx)
	if m.embedded != nil {
		m.embedded.Close()
	}
	return err
}

// Skipped returns, per collection, how many documents the last snapshot skipped.
func (m *Store) Skipped() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.skipped)
}

func (m *Store) setSkipped(s map[string]int) {
	m.mu.Lock()
	m.skipped = s
	m.mu.Unlock()
}

// storeError marks driver errors that mean the store is out of reach by
// wrapping engine.ErrStoreUnavailable; others pass unchanged.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	if mongo.IsTimeout(err) || mongo.IsNetworkError(err) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, mongo.ErrClientDisconnected) || isSelectionError(err) {
		return fmt.Errorf("%w: %w", engine.ErrStoreUnavailable, err)
	}
	return err
}

func isSelectionError(err error) bool {
	var sel topology.ServerSelectionError
	return errors.As(err, &sel)
}
