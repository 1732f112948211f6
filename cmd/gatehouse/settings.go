package main

import (
	"io"
	"slices"
	"time"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/loader/syncer"
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

// apiKeysEnv holds API keys ("name:key:scope+scope,…"); it has no flag so
// that secrets never show in a process list.
const apiKeysEnv = "GATEHOUSE_API_KEYS"

// params holds every value a command's flags set. Each command registers
// (through settings) and reads only the fields of its own flags.
type params struct {
	config        string            // --config
	store         mongostore.Config // the store every store command opens
	storeAddr     string            // where `gatehouse store` listens
	serve         server.Config     // `serve`; its Store comes from store
	keysFile      string            // serve's --api-keys-file
	bundleSigning signingFlags      // serve's --bundle-signing-*
	signing       signingFlags      // bundle build's --signing-*
	output        string            // bundle build -o
	tenant        string            // bundle build --tenant
	demo          bool              // seed --demo
	input, data   string            // eval -i, -d
	verbose       bool              // test -v
	coverage      bool              // test --coverage
}

// setting is one row of the table: a flag, the commands that have it, its
// env var and config-file key (--mongo-uri ↔ GATEHOUSE_MONGO_URI ↔
// mongo.uri), its help, and where its value and default go. A row with no
// env and no key is an option of one run (like -o): a flag only.
// Precedence: flag, env, file, default.
type setting struct {
	flag, short string
	in          []string // the commands with the flag ("bundle build" for a subcommand)
	env         string   // the env var; empty: none
	key         string   // the config-file key; empty: none
	usage       string
	bind        binder // registers the flag with its default and target
}

// Commands grouped by the settings they share.
var (
	storeCommands = []string{"serve", "import", "export", "seed", "bundle build", "eval"}
	dataCommands  = append(slices.Clone(storeCommands), "store") // the embedded store's data dir
	onServe       = []string{"serve"}
	onBundleBuild = []string{"bundle build"}
	onEval        = []string{"eval"}
	onTest        = []string{"test"}
)

// settings is the one table of every flag of every command; the README's
// Configuration table is checked against it.
var settings = []setting{
	{flag: "config", in: dataCommands, env: "GATEHOUSE_CONFIG",
		usage: "YAML or JSON config file (keys like mongo.uri)", bind: strVar("", func(p *params) *string { return &p.config })},
	{flag: "mongo-uri", in: storeCommands, env: "GATEHOUSE_MONGO_URI", key: "mongo.uri",
		usage: "MongoDB connection string; empty runs the embedded store in --data-dir", bind: strVar("", func(p *params) *string { return &p.store.URI })},
	{flag: "database", in: storeCommands, env: "GATEHOUSE_DATABASE", key: "mongo.database",
		usage: "MongoDB database", bind: strVar(mongostore.DefaultDatabase, func(p *params) *string { return &p.store.Database })},
	{flag: "mongo-timeout", in: storeCommands, env: "GATEHOUSE_MONGO_TIMEOUT", key: "mongo.timeout",
		usage: "how long to wait for MongoDB before failing", bind: durVar(mongostore.DefaultTimeout, func(p *params) *time.Duration { return &p.store.Timeout })},
	{flag: "data-dir", in: dataCommands, env: "GATEHOUSE_DATA_DIR", key: "store.dataDir",
		usage: "directory of the embedded store", bind: strVar(mongostore.DefaultDataDir, func(p *params) *string { return &p.store.DataDir })},
	{flag: "addr", in: onServe, env: "GATEHOUSE_ADDR", key: "server.addr",
		usage: "HTTP listen address", bind: strVar(server.DefaultAddr, func(p *params) *string { return &p.serve.Addr })},
	{flag: "addr", in: []string{"store"}, env: "GATEHOUSE_STORE_ADDR", key: "store.addr",
		usage: "address the embedded store listens on (never the HTTP server's)", bind: strVar(defaultStoreAddr, func(p *params) *string { return &p.storeAddr })},
	{flag: "sync-interval", in: onServe, env: "GATEHOUSE_SYNC_INTERVAL", key: "sync.interval",
		usage: "how often to poll the store for changes (without change streams)", bind: durVar(syncer.DefaultInterval, func(p *params) *time.Duration { return &p.serve.Sync.Interval })},
	{flag: "resync-interval", in: onServe, env: "GATEHOUSE_RESYNC_INTERVAL", key: "sync.resyncInterval",
		usage: "how often to re-read everything, catching writes made outside gatehouse", bind: durVar(syncer.DefaultResyncInterval, func(p *params) *time.Duration { return &p.serve.Sync.ResyncInterval })},
	{flag: "write-timeout", in: onServe, env: "GATEHOUSE_WRITE_TIMEOUT", key: "server.writeTimeout",
		usage: "how long a management write may wait for the store", bind: durVar(api.DefaultWriteTimeout, func(p *params) *time.Duration { return &p.serve.API.WriteTimeout })},
	{flag: "max-body-bytes", in: onServe, env: "GATEHOUSE_MAX_BODY_BYTES", key: "server.maxBodyBytes",
		usage: "largest request body accepted", bind: int64Var(api.DefaultMaxBodyBytes, func(p *params) *int64 { return &p.serve.API.MaxBodyBytes })},
	{flag: "max-batch", in: onServe, env: "GATEHOUSE_MAX_BATCH", key: "server.maxBatch",
		usage: "most checks in one batch", bind: intVar(api.DefaultMaxBatch, func(p *params) *int { return &p.serve.API.MaxBatch })},
	{flag: "http-read-header-timeout", in: onServe, env: "GATEHOUSE_HTTP_READ_HEADER_TIMEOUT", key: "http.readHeaderTimeout",
		usage: "how long a client may take to send a request's headers", bind: durVar(server.DefaultReadHeaderTimeout, func(p *params) *time.Duration { return &p.serve.HTTP.ReadHeaderTimeout })},
	{flag: "http-read-timeout", in: onServe, env: "GATEHOUSE_HTTP_READ_TIMEOUT", key: "http.readTimeout",
		usage: "how long a client may take to send a whole request", bind: durVar(server.DefaultReadTimeout, func(p *params) *time.Duration { return &p.serve.HTTP.ReadTimeout })},
	{flag: "http-write-timeout", in: onServe, env: "GATEHOUSE_HTTP_WRITE_TIMEOUT", key: "http.writeTimeout",
		usage: "how long handling a request and writing its response may take (bundle long polls extend it)", bind: durVar(server.DefaultHTTPWriteTimeout, func(p *params) *time.Duration { return &p.serve.HTTP.WriteTimeout })},
	{flag: "http-idle-timeout", in: onServe, env: "GATEHOUSE_HTTP_IDLE_TIMEOUT", key: "http.idleTimeout",
		usage: "how long an idle keep-alive connection stays open", bind: durVar(server.DefaultIdleTimeout, func(p *params) *time.Duration { return &p.serve.HTTP.IdleTimeout })},
	{flag: "max-concurrent-requests", in: onServe, env: "GATEHOUSE_MAX_CONCURRENT_REQUESTS", key: "http.maxConcurrentRequests",
		usage: "requests handled at once; more get 503 (health checks and bundles not counted)", bind: intVar(server.DefaultMaxConcurrentRequests, func(p *params) *int { return &p.serve.HTTP.MaxConcurrentRequests })},
	{flag: "api-keys-file", in: onServe, env: "GATEHOUSE_API_KEYS_FILE", key: "auth.keysFile",
		usage: "YAML/JSON file of API keys ({keys: [{name, key, scopes}]}); more in " + apiKeysEnv, bind: strVar("", func(p *params) *string { return &p.keysFile })},
	{flag: "decision-log", in: onServe, env: "GATEHOUSE_DECISION_LOG", key: "decisionLog.sink",
		usage: "where decision logs go: off, stdout, file:PATH or mongo (collection decisions)", bind: strVar(server.DecisionLogOff, func(p *params) *string { return &p.serve.DecisionLog })},
	{flag: "decision-cache-size", in: onServe, env: "GATEHOUSE_DECISION_CACHE_SIZE", key: "decisionCache.size",
		usage: "decisions kept in the cache (0 disables it)", bind: intVar(engine.DefaultDecisionCacheSize, func(p *params) *int { return &p.serve.DecisionCacheSize })},
	{flag: "bundle-signing-key", in: onServe, env: "GATEHOUSE_BUNDLE_SIGNING_KEY", key: "bundles.signingKey",
		usage: signingKeyUsage, bind: strVar("", func(p *params) *string { return &p.bundleSigning.keyFile })},
	{flag: "bundle-signing-alg", in: onServe, env: "GATEHOUSE_BUNDLE_SIGNING_ALG", key: "bundles.signingAlg",
		usage: signingAlgUsage, bind: strVar(bundles.DefaultSigningAlgorithm, func(p *params) *string { return &p.bundleSigning.alg })},
	{flag: "bundle-signing-keyid", in: onServe, env: "GATEHOUSE_BUNDLE_SIGNING_KEYID", key: "bundles.signingKeyId",
		usage: signingKeyIDUsage, bind: strVar(defaultSigningKeyID, func(p *params) *string { return &p.bundleSigning.keyID })},
	{flag: "envoy-addr", in: onServe, env: "GATEHOUSE_ENVOY_ADDR", key: "envoy.addr",
		usage: "Envoy ext_authz gRPC listen address (route decisions); off when empty", bind: strVar(server.DefaultEnvoyAddr, func(p *params) *string { return &p.serve.EnvoyAddr })},

	// Options of one run: flags only.
	{flag: "demo", in: []string{"seed"},
		usage: "load the demo data set used by the README", bind: boolVar(false, func(p *params) *bool { return &p.demo })},
	{flag: "signing-key", in: onBundleBuild, usage: signingKeyUsage, bind: strVar("", func(p *params) *string { return &p.signing.keyFile })},
	{flag: "signing-alg", in: onBundleBuild, usage: signingAlgUsage, bind: strVar(bundles.DefaultSigningAlgorithm, func(p *params) *string { return &p.signing.alg })},
	{flag: "signing-keyid", in: onBundleBuild, usage: signingKeyIDUsage, bind: strVar(defaultSigningKeyID, func(p *params) *string { return &p.signing.keyID })},
	{flag: "output", short: "o", in: onBundleBuild, usage: "file to write", bind: strVar(defaultBundleFile, func(p *params) *string { return &p.output })},
	{flag: "tenant", in: onBundleBuild, usage: "build only this tenant's share", bind: strVar("", func(p *params) *string { return &p.tenant })},
	{flag: "input", short: "i", in: onEval, usage: "JSON file with the input document", bind: strVar("", func(p *params) *string { return &p.input })},
	{flag: "data", short: "d", in: onEval, usage: "export file (JSON/YAML) to evaluate over instead of a store", bind: strVar("", func(p *params) *string { return &p.data })},
	{flag: "verbose", short: "v", in: onTest, usage: "print every test", bind: boolVar(false, func(p *params) *bool { return &p.verbose })},
	{flag: "coverage", in: onTest, usage: "report coverage of the policies (JSON)", bind: boolVar(false, func(p *params) *bool { return &p.coverage })},
}

// Help shared by serve's --bundle-signing-* and bundle build's --signing-*.
const (
	signingKeyUsage   = "PEM private key (or HMAC secret file) to sign bundles with; none: unsigned"
	signingAlgUsage   = "bundle signing algorithm (RS256, ES256, HS256, …)"
	signingKeyIDUsage = "key id OPA's bundle signing config names"
)

// newFlags returns the flag set of cmd, every flag of settings whose row
// names cmd registered into a fresh params; help goes to stderr.
func newFlags(cmd string, stderr io.Writer) (*pflag.FlagSet, *params) {
	fs := pflag.NewFlagSet(cmd, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	p := &params{}
	for _, s := range settingsOf(cmd) {
		s.bind(fs, p, s)
	}
	return fs, p
}

// settingsOf returns the rows of cmd's flags.
func settingsOf(cmd string) []setting {
	var out []setting
	for _, s := range settings {
		if slices.Contains(s.in, cmd) {
			out = append(out, s)
		}
	}
	return out
}

// binder registers a setting's flag on fs, bound to its field of p.
type binder func(fs *pflag.FlagSet, p *params, s setting)

// bind makes a binder from a pflag XxxVarP method, the field and the default.
func bind[T any](register func(*pflag.FlagSet, *T, string, string, T, string), to func(*params) *T, def T) binder {
	return func(fs *pflag.FlagSet, p *params, s setting) { register(fs, to(p), s.flag, s.short, def, s.usage) }
}

func strVar(def string, to func(*params) *string) binder {
	return bind((*pflag.FlagSet).StringVarP, to, def)
}

func durVar(def time.Duration, to func(*params) *time.Duration) binder {
	return bind((*pflag.FlagSet).DurationVarP, to, def)
}

func intVar(def int, to func(*params) *int) binder { return bind((*pflag.FlagSet).IntVarP, to, def) }

func int64Var(def int64, to func(*params) *int64) binder {
	return bind((*pflag.FlagSet).Int64VarP, to, def)
}

func boolVar(def bool, to func(*params) *bool) binder {
	return bind((*pflag.FlagSet).BoolVarP, to, def)
}
