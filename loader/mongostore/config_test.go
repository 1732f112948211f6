package mongostore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/mongostore"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  mongostore.Config
		want []string // substrings of the error; none: valid
	}{
		{"a uri", mongostore.Config{URI: "mongodb://localhost/"}, nil},
		{"a data dir", mongostore.Config{DataDir: "d"}, nil},
		{"every problem", mongostore.Config{Timeout: -time.Second}, []string{"either a mongo uri or a data dir", "timeout must not be negative"}},
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

// TestOpenEmbedded: with no URI, Open runs the embedded store in DataDir,
// which one store at a time holds; Close releases it.
func TestOpenEmbedded(t *testing.T) {
	dir := t.TempDir()
	open := func() (*mongostore.Store, error) {
		return mongostore.Open(t.Context(), mongostore.Config{DataDir: dir}, nil)
	}
	m, err := open()
	if err != nil {
		t.Fatal(err)
	}
	role := &model.Role{Meta: model.Meta{ID: "kept"}, Name: "K", Permissions: []model.Permission{{Action: "read"}}}
	if _, err := m.Put(t.Context(), model.Roles, role, nil); err != nil {
		t.Fatal(err)
	}
	if other, err := open(); err == nil {
		_ = other.Close(context.Background())
		t.Fatal("a second store opened the same data dir")
	} else if !strings.Contains(err.Error(), "held by another process") {
		t.Errorf("second open: %v, want the data dir named as held", err)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, err := open()
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	defer again.Close(context.Background())
	if _, err := again.Get(t.Context(), model.Roles, "kept"); err != nil {
		t.Errorf("the data did not outlive the store: %v", err)
	}
}
