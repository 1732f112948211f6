package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/gatehouse/gatehouse/bundles"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

func runBundle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "build" {
		return usageError{"usage: gatehouse bundle build -o FILE [--tenant T] [--signing-key K]"}
	}
	fs, p := newFlags("bundle build", stderr)
	if err := parse(fs, args[1:], p); err != nil {
		return err
	}
	out, tenant := p.output, p.tenant
	signing, err := p.signing.signing()
	if err != nil {
		return usageError{err.Error()}
	}
	log := newLogger(stderr)
	store, err := openStore(ctx, p.store, stderr)
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
