package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/mongostore"
)

//go:embed demo.yaml
var demoData []byte

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, p := newFlags("import", stderr)
	if err := parseFileArg(fs, args, p); err != nil {
		return err
	}
	snap, err := mongostore.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	return importSnapshot(ctx, p.store, snap, stdout, stderr)
}

func importSnapshot(ctx context.Context, cfg mongostore.Config, snap *model.Snapshot, stdout, stderr io.Writer) error {
	store, err := openStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	if err := store.Import(ctx, snap); err != nil {
		var verr *model.ValidationError
		if errors.As(err, &verr) {
			for _, p := range verr.Problems {
				fmt.Fprintln(stderr, p.String())
			}
		}
		return err
	}
	fmt.Fprintf(stdout, "imported %s\n", describeCounts(snap.Counts()))
	return nil
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, p := newFlags("export", stderr)
	if err := parseFileArg(fs, args, p); err != nil {
		return err
	}
	store, err := openStore(ctx, p.store, stderr)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	snap, err := store.Export(ctx)
	if err != nil {
		return err
	}
	if err := mongostore.WriteFile(fs.Arg(0), snap); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %s to %s (skipped invalid: %v)\n", describeCounts(snap.Counts()), fs.Arg(0), store.Skipped())
	return nil
}

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, p := newFlags("seed", stderr)
	if err := parse(fs, args, p); err != nil {
		return err
	}
	if !p.demo {
		return usageError{"usage: gatehouse seed --demo"}
	}
	snap, err := mongostore.Decode(demoData, true)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	return importSnapshot(ctx, p.store, snap, stdout, stderr)
}

// openStore opens the store the flags name; a config that does not
// validate is a usage error, not a failed run.
func openStore(ctx context.Context, cfg mongostore.Config, stderr io.Writer) (*mongostore.Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, usageError{err.Error()}
	}
	return mongostore.Open(ctx, cfg, newLogger(stderr))
}

// parseFileArg parses the flags of a command that takes one FILE.
func parseFileArg(fs *pflag.FlagSet, args []string, p *params) error {
	if err := parse(fs, args, p); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: gatehouse " + fs.Name() + " FILE"}
	}
	return nil
}

func describeCounts(counts map[string]int) string {
	s := ""
	for _, c := range model.Collections {
		if counts[c] > 0 {
			s += fmt.Sprintf("%d %s, ", counts[c], c)
		}
	}
	if s == "" {
		return "nothing"
	}
	return s[:len(s)-2]
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	fmt.Fprintf(stdout, "gatehouse %s\n", version)
	return nil
}
