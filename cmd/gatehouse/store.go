package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gatehouse/gatehouse/loader/mongostore"
)

func runStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, p := newFlags("store", stderr)
	if err := parse(fs, args, p); err != nil {
		return err
	}
	emb, err := mongostore.StartEmbeddedLocked(p.store.DataDir, p.storeAddr, newLogger(stderr))
	if err != nil {
		return err
	}
	defer emb.Close()
	fmt.Fprintf(stdout, "embedded store serving %s from %s\n", emb.URI(), p.store.DataDir)
	<-ctx.Done()
	return nil
}
