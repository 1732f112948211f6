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

// parse parses args, then fills the flags not given from the env and then
// from the config file (--config or GATEHOUSE_CONFIG), by fs's rows of
// settings. Bad flags and settings are usage errors; --help exits 0.
func parse(fs *pflag.FlagSet, args []string, p *params) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitError{code: exitOK, err: errors.New("help requested")}
		}
		return usageError{err.Error()}
	}
	rows := settingsOf(fs.Name())
	// fs.Set marks a flag changed, so a value from the env is not
	// overwritten from the file, and the env can name the file.
	errs := fill(fs, rows, func(s setting) (string, bool) {
		if s.env == "" {
			return "", false
		}
		return os.LookupEnv(s.env)
	})
	file, err := readConfig(p.config)
	if err != nil {
		return err
	}
	errs = append(errs, fill(fs, rows, func(s setting) (string, bool) {
		v, ok := file[s.key]
		return v, ok && s.key != ""
	})...)
	if err := errors.Join(errs...); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// fill sets each flag of rows not yet set that lookup has a value for.
func fill(fs *pflag.FlagSet, rows []setting, lookup func(setting) (string, bool)) []error {
	var errs []error
	for _, s := range rows {
		if fs.Changed(s.flag) {
			continue
		}
		if value, ok := lookup(s); ok {
			if err := fs.Set(s.flag, value); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.flag, err))
			}
		}
	}
	return errs
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
		if s.key != "" {
			known[s.key] = true
		}
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

// loadKeys reads API keys from a file and from apiKeysEnv
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
			return nil, fmt.Errorf(apiKeysEnv+": %q is not name:key:scope+scope", parts[0])
		}
		keys = append(keys, api.Key{Name: parts[0], Secret: parts[1], Scopes: strings.Split(parts[2], "+")})
	}
	return keys, nil
}
