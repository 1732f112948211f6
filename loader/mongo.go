package loader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// Defaults for Config.
const (
	DefaultDatabase = "gatehouse"
	DefaultTimeout  = 5 * time.Second
)

// Config says which MongoDB to use.
type Config struct {
	URI      string        // mongodb:// connection string; required
	Database string        // database name; DefaultDatabase when empty
	Timeout  time.Duration // server selection and per-operation limit; DefaultTimeout when zero
	// Lazy skips the check that the store answers, for servers that start
	// before their store and retry until it does.
	Lazy bool
}

// Validate reports every problem with the config.
func (c Config) Validate() error {
	if c.URI == "" {
		return errors.New("mongo uri is required")
	}
	if c.Timeout < 0 {
		return errors.New("mongo timeout must not be negative")
	}
	return nil
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

// Mongo reads and writes gatehouse's collections.
type Mongo struct {
	cfg    Config
	client *mongo.Client
	db     *mongo.Database
	log    *slog.Logger

	mu      sync.Mutex
	skipped map[string]int
	// changesIndexed is set once the change log's "at" index exists.
	changesIndexed atomic.Bool
}

var _ engine.Source = (*Mongo)(nil)

// Open connects to MongoDB and, unless cfg.Lazy, checks that it answers.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Mongo, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
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
	return &Mongo{cfg: cfg, client: client, db: client.Database(cfg.Database), log: log, skipped: map[string]int{}}, nil
}

// Close disconnects.
func (m *Mongo) Close(ctx context.Context) error { return m.client.Disconnect(ctx) }

// Skipped returns, per collection, how many documents the last snapshot skipped.
func (m *Mongo) Skipped() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.skipped))
	for k, v := range m.skipped {
		out[k] = v
	}
	return out
}

func (m *Mongo) setSkipped(s map[string]int) {
	m.mu.Lock()
	m.skipped = s
	m.mu.Unlock()
}

// Snapshot reads every collection. Documents that do not decode or fail
// validation are skipped with a warning and counted (see Skipped). It
// returns an error wrapping engine.ErrStoreUnavailable when the store cannot be read.
func (m *Mongo) Snapshot(ctx context.Context) (*model.Snapshot, error) {
	snap := &model.Snapshot{}
	skipped := map[string]int{}
	readers := map[string]func(context.Context) (int, error){
		model.Roles:         reader(m, model.Roles, &snap.Roles),
		model.Records:       reader(m, model.Records, &snap.Records),
		model.Groups:        reader(m, model.Groups, &snap.Groups),
		model.Memberships:   reader(m, model.Memberships, &snap.Memberships),
		model.Extensions:    reader(m, model.Extensions, &snap.Extensions),
		model.Installations: reader(m, model.Installations, &snap.Installations),
		model.Tenants:       reader(m, model.Tenants, &snap.Tenants),
		model.Policies:      reader(m, model.Policies, &snap.Policies),
	}
	for _, c := range model.Collections {
		n, err := readers[c](ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %w", engine.ErrStoreUnavailable, c, err)
		}
		skipped[c] = n
	}
	m.setSkipped(skipped)
	return snap, nil
}

// reader returns a function that reads one collection into *out and
// returns how many documents it skipped.
func reader[T any, P interface {
	*T
	model.Document
}](m *Mongo, collection string, out *[]T) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		cur, err := m.db.Collection(collection).Find(ctx, map[string]any{})
		if err != nil {
			return 0, err
		}
		defer cur.Close(ctx)
		skipped := 0
		for cur.Next(ctx) {
			var doc T
			if err := cur.Decode(&doc); err != nil {
				m.log.Warn("skipping document that does not decode", "collection", collection, "id", cur.Current.Lookup("_id").String(), "error", err)
				skipped++
				continue
			}
			model.ApplyDefaults(P(&doc))
			if problems := P(&doc).Validate(); len(problems) > 0 {
				m.log.Warn("skipping invalid document", "collection", collection, "id", P(&doc).DocMeta().ID, "problems", fmt.Sprint(problems))
				skipped++
				continue
			}
			*out = append(*out, doc)
		}
		return skipped, cur.Err()
	}
}
