package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/loader/mongostore"
)

// Flag defaults that no package's Config owns.
const (
	// defaultStoreAddr is where `gatehouse store` listens: MongoDB's port.
	defaultStoreAddr = "127.0.0.1:27017"
	// defaultSigningKeyID is the key id bundle signatures name.
	defaultSigningKeyID = "gatehouse"
	// defaultBundleFile is where `gatehouse bundle build` writes.
	defaultBundleFile = "bundle.tar.gz"
)

// commonFlags are shared by every command that reaches the store.
type commonFlags struct {
	mongoURI     string
	database     string
	dataDir      string
	mongoTimeout time.Duration
	configFile   string
}

// storeFlagSet starts the flag set of a command that reaches the store.
func storeFlagSet(name string) (*pflag.FlagSet, *commonFlags) {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	c := &commonFlags{}
	addStoreFlags(fs, c)
	return fs, c
}

// addStoreFlags binds the store flags and --config.
func addStoreFlags(fs *pflag.FlagSet, c *commonFlags) {
	fs.StringVar(&c.mongoURI, "mongo-uri", "", "MongoDB connection string; empty runs the embedded store")
	fs.StringVar(&c.database, "database", mongostore.DefaultDatabase, "MongoDB database")
	addDataDirFlag(fs, c)
	fs.DurationVar(&c.mongoTimeout, "mongo-timeout", mongostore.DefaultTimeout, "how long to wait for MongoDB before failing")
	fs.StringVar(&c.configFile, "config", "", "YAML or JSON config file (keys like mongo.uri)")
}

// addDataDirFlag binds --data-dir, the embedded store's directory.
func addDataDirFlag(fs *pflag.FlagSet, c *commonFlags) {
	fs.StringVar(&c.dataDir, "data-dir", mongostore.DefaultDataDir, "directory of the embedded store")
}

func (c commonFlags) store() mongostore.Config {
	return mongostore.Config{URI: c.mongoURI, Database: c.database, DataDir: c.dataDir, Timeout: c.mongoTimeout}
}

// signingFlags are shared by `serve` and `bundle build`.
type signingFlags struct {
	keyFile, alg, keyID string
}

func addSigningFlags(fs *pflag.FlagSet, f *signingFlags, prefix string) {
	fs.StringVar(&f.keyFile, prefix+"signing-key", "", "PEM private key (or HMAC secret file) to sign bundles with")
	fs.StringVar(&f.alg, prefix+"signing-alg", bundles.DefaultSigningAlgorithm, "bundle signing algorithm (RS256, ES256, HS256, …)")
	fs.StringVar(&f.keyID, prefix+"signing-keyid", defaultSigningKeyID, "key id OPA's bundle signing config names")
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

// addHTTPFlags binds the HTTP server's timeouts and concurrency bound.
func addHTTPFlags(fs *pflag.FlagSet, c *server.HTTPConfig) {
	fs.DurationVar(&c.ReadHeaderTimeout, "http-read-header-timeout", server.DefaultReadHeaderTimeout, "how long a client may take to send a request's headers")
	fs.DurationVar(&c.ReadTimeout, "http-read-timeout", server.DefaultReadTimeout, "how long a client may take to send a whole request")
	fs.DurationVar(&c.WriteTimeout, "http-write-timeout", server.DefaultHTTPWriteTimeout, "how long handling a request and writing its response may take (bundle long polls extend it)")
	fs.DurationVar(&c.IdleTimeout, "http-idle-timeout", server.DefaultIdleTimeout, "how long an idle keep-alive connection stays open")
	fs.IntVar(&c.MaxConcurrentRequests, "max-concurrent-requests", server.DefaultMaxConcurrentRequests, "requests handled at once; more get 503 (health checks and bundles not counted)")
}

// newLogger logs JSON lines at info level to w.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
