package bundles

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// ErrUnknownBundle is returned for a name that is neither "gatehouse" nor
// "tenants/{id}" of a known tenant.
var ErrUnknownBundle = errors.New("unknown bundle")

// MaxWait caps a long poll.
const MaxWait = 5 * time.Minute

// Bundle is a built bundle and its ETag.
type Bundle struct {
	ETag string
	Body []byte
}

// Server builds each named bundle once per revision and keeps it in memory.
type Server struct {
	engine   *engine.Engine
	signing  *Signing
	instance string // distinguishes revisions of different server runs

	mu     sync.Mutex
	cache  map[string]Bundle
	flight singleflight.Group
	builds int
}

// NewServer returns a bundle server over the engine; signing may be nil.
func NewServer(e *engine.Engine, signing *Signing) *Server {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &Server{engine: e, signing: signing, instance: hex.EncodeToString(b[:]), cache: map[string]Bundle{}}
}

// Builds returns how many bundles were built, for tests and metrics.
func (s *Server) Builds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.builds
}

// Get returns the named bundle. When ifNoneMatch is its current ETag it
// waits up to wait for a new revision (long polling) and returns
// notModified=true if none came, without building anything.
func (s *Server) Get(ctx context.Context, name, ifNoneMatch string, wait time.Duration) (b Bundle, notModified bool, err error) {
	tenant, err := s.tenantOf(name)
	if err != nil {
		return Bundle{}, false, err
	}
	deadline := time.NewTimer(min(wait, MaxWait))
	defer deadline.Stop()
	for {
		changed := s.engine.Changed()
		etag := s.etag(name, s.engine.Revision())
		if ifNoneMatch != etag {
			b, err := s.build(ctx, name, tenant)
			return b, false, err
		}
		if wait <= 0 {
			return Bundle{ETag: etag}, true, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return Bundle{ETag: etag}, true, nil
		case <-ctx.Done():
			return Bundle{ETag: etag}, true, nil
		}
	}
}

func (s *Server) tenantOf(name string) (string, error) {
	if name == "gatehouse" {
		return "", nil
	}
	tenant, ok := strings.CutPrefix(name, "tenants/")
	if !ok || tenant == "" || strings.Contains(tenant, "/") || !s.engine.Has(model.Tenants, tenant) {
		return "", fmt.Errorf("%w: %q (want gatehouse or tenants/{tenantId})", ErrUnknownBundle, name)
	}
	return tenant, nil
}

func (s *Server) etag(name string, rev uint64) string {
	return fmt.Sprintf(`"%s-%d-%s"`, s.instance, rev, strings.ReplaceAll(name, "/", ":"))
}

// build returns the cached bundle for the current revision, building it
// once when missing.
func (s *Server) build(ctx context.Context, name, tenant string) (Bundle, error) {
	v, err, _ := s.flight.Do(name, func() (any, error) {
		ex, err := s.engine.Export(ctx)
		if err != nil {
			return Bundle{}, err
		}
		etag := s.etag(name, ex.Revision)
		s.mu.Lock()
		cached, ok := s.cache[name]
		s.mu.Unlock()
		if ok && cached.ETag == etag {
			return cached, nil
		}
		body, err := Build(ex, tenant, s.signing, strings.Trim(etag, `"`))
		if err != nil {
			return Bundle{}, err
		}
		b := Bundle{ETag: etag, Body: body}
		s.mu.Lock()
		s.cache[name] = b
		s.builds++
		s.mu.Unlock()
		return b, nil
	})
	if err != nil {
		return Bundle{}, err
	}
	return v.(Bundle), nil
}
