package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/api"
)

// setting ties a flag to its env var and config-file key: --mongo-uri ↔
// GATEHOUSE_MONGO_URI ↔ mongo.uri. Precedence: flag, env, file, default.
type setting struct {
	flag string
	key  string
	// command limits the setting to one subcommand's flag of that name;
	// empty applies it to every command that has the flag.
	command string
	// env overrides the env var derived from the flag (GATEHOUSE_<FLAG>).
	env string
}

// settings is the one table of every configurable flag.
var settings = []setting{
	{flag: "mongo-uri", key: "mongo.uri"},
	{flag: "database", key: "mongo.database"},
	{flag: "mongo-timeout", key: "mongo.timeout"},
	{flag: "data-dir", key: "store.dataDir"},
	{flag: "addr", key: "server.addr", command: "serve"},
	{flag: "addr", key: "store.addr", command: "store", env: "GATEHOUSE_STORE_ADDR"},
	{flag: "sync-interval", key: "sync.interval"},
	{flag: "resync-interval", key: "sync.resyncInterval"},
	{flag: "write-timeout", key: "server.writeTimeout"},
	{flag: "api-keys-file", key: "auth.keysFile"},
	{flag: "decision-log", key: "decisionLog.sink"},
	{flag: "decision-cache-size", key: "decisionCache.size"},
	{flag: "bundle-signing-key", key: "bundles.signingKey"},
	{flag: "bundle-signing-alg", key: "bundles.signingAlg"},
	{flag: "bundle-signing-keyid", key: "bundles.signingKeyId"},
	{flag: "max-body-bytes", key: "server.maxBodyBytes"},
	{flag: "max-batch", key: "server.maxBatch"},
	{flag: "http-read-header-timeout", key: "http.readHeaderTimeout"},
	{flag: "http-read-timeout", key: "http.readTimeout"},
	{flag: "http-write-timeout", key: "http.writeTimeout"},
	{flag: "http-idle-timeout", key: "http.idleTimeout"},
	{flag: "max-concurrent-requests", key: "http.maxConcurrentRequests"},
}

// envVar is the setting's environment variable.
func (s setting) envVar() string {
	if s.env != "" {
		return s.env
	}
	return envName(s.flag)
}

// appliesTo reports whether the setting configures a flag of the command
// whose flag set is fs.
func (s setting) appliesTo(fs *pflag.FlagSet) bool {
	return s.command == "" || s.command == fs.Name()
}

func envName(flag string) string {
	return "GATEHOUSE_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// parse parses args, then fills unset flags from the env and the config file.
func parse(fs *pflag.FlagSet, args []string, configFile *string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitError{code: exitOK, err: errors.New("help requested")}
		}
		return usageError{err.Error()}
	}
	file, err := readConfig(*configFile)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range settings {
		f := fs.Lookup(s.flag)
		if f == nil || f.Changed || !s.appliesTo(fs) {
			continue
		}
		value, ok := os.LookupEnv(s.envVar())
		if !ok {
			value, ok = file[s.key]
		}
		if ok {
			if err := fs.Set(s.flag, value); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.flag, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// readConfig flattens a YAML/JSON file into dotted keys.
func readConfig(path string) (map[string]string, error) {
	out := map[string]string{}
	if path == "" {
		return out, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	flatten("", doc, out)
	known := map[string]bool{}
	for _, s := range settings {
		known[s.key] = true
	}
	for k := range out {
		if !known[k] {
			return nil, usageError{fmt.Sprintf("config %s: unknown key %q", path, k)}
		}
	}
	return out, nil
}

func flatten(prefix string, doc map[string]any, out map[string]string) {
	for k, v := range doc {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if m, ok := v.(map[string]any); ok {
			flatten(key, m, out)
			continue
		}
		out[key] = fmt.Sprint(v)
	}
}

// loadKeys reads API keys from a file and from GATEHOUSE_API_KEYS
// ("name:key:scope+scope,name2:key2:scope").
func loadKeys(file, env string) ([]api.Key, error) {
	var keys []api.Key
	if file != "" {
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Keys []api.Key `json:"keys"`
		}
		if err := yaml.UnmarshalStrict(raw, &doc); err != nil {
			return nil, fmt.Errorf("keys file %s: %w", file, err)
		}
		keys = doc.Keys
	}
	for _, item := range strings.Split(env, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		parts := strings.Split(item, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("GATEHOUSE_API_KEYS: %q is not name:key:scope+scope", parts[0])
		}
		keys = append(keys, api.Key{Name: parts[0], Secret: parts[1], Scopes: strings.Split(parts[2], "+")})
	}
	return keys, nil
}
