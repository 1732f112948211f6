package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// signingFlags are shared by `serve` and `bundle build`.
type signingFlags struct {
	keyFile, alg, keyID string
}

func addSigningFlags(fs *pflag.FlagSet, f *signingFlags, prefix string) {
	fs.StringVar(&f.keyFile, prefix+"signing-key", "", "PEM private key (or HMAC secret file) to sign bundles with")
	fs.StringVar(&f.alg, prefix+"signing-alg", bundles.DefaultSigningAlgorithm, "bundle signing algorithm (RS256, ES256, HS256, …)")
	fs.StringVar(&f.keyID, prefix+"signing-keyid", "gatehouse", "key id OPA's bundle signing config names")
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

func runBundle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "build" {
		return usageError{"usage: gatehouse bundle build -o FILE [--tenant T] [--signing-key K]"}
	}
	fs := pflag.NewFlagSet("bundle build", pflag.ContinueOnError)
	var c commonFlags
	var sf signingFlags
	var out, tenant string
	addStoreFlags(fs, &c)
	addSigningFlags(fs, &sf, "")
	fs.StringVarP(&out, "output", "o", "bundle.tar.gz", "file to write")
	fs.StringVar(&tenant, "tenant", "", "build only this tenant's share")
	if err := parse(fs, args[1:], &c.configFile); err != nil {
		return err
	}
	signing, err := sf.signing()
	if err != nil {
		return usageError{err.Error()}
	}
	log := newLogger(stderr)
	store, closeStore, err := server.OpenStore(ctx, c.store(), log)
	if err != nil {
		return err
	}
	defer closeStore()
	eng := engine.New(log)
	rev, err := eng.Refresh(ctx, store)
	if err != nil {
		return err
	}
	if tenant != "" && !eng.Has(model.Tenants, tenant) {
		return usageError{fmt.Sprintf("unknown tenant %q", tenant)}
	}
	ex, err := eng.Export(ctx)
	if err != nil {
		return err
	}
	body, err := bundles.Build(ex, tenant, signing, fmt.Sprintf("build-%d", rev))
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, body, 0o640); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes, revision %d)\n", out, len(body), rev)
	return nil
}
