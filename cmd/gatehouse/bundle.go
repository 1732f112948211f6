package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/mongostore"
)

func runBundle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "build" {
		return usageError{"usage: gatehouse bundle build -o FILE [--tenant T] [--signing-key K]"}
	}
	fs, c := storeFlagSet("bundle build")
	var sf signingFlags
	var out, tenant string
	addSigningFlags(fs, &sf, "")
	fs.StringVarP(&out, "output", "o", defaultBundleFile, "file to write")
	fs.StringVar(&tenant, "tenant", "", "build only this tenant's share")
	if err := parse(fs, args[1:], &c.configFile); err != nil {
		return err
	}
	signing, err := sf.signing()
	if err != nil {
		return usageError{err.Error()}
	}
	log := newLogger(stderr)
	store, err := mongostore.Open(ctx, c.store(), log)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
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
