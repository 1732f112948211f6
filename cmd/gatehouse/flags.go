package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/gatehouse/gatehouse/bundles"
)

// signingFlags are the bundle signing flags of `serve` and `bundle build`.
type signingFlags struct {
	keyFile, alg, keyID string
}

// signing returns the signing config, or nil without a key file.
func (f signingFlags) signing() (*bundles.Signing, error) {
	if f.keyFile == "" {
		return nil, nil
	}
	key, err := os.ReadFile(f.keyFile)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return &bundles.Signing{Key: string(key), Algorithm: f.alg, KeyID: f.keyID}, nil
}

// newLogger logs JSON lines at info level to w.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
