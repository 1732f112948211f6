package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/spf13/pflag"
)

func runStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("store", pflag.ContinueOnError)
	var c commonFlags
	var addr string
	addDataDirFlag(fs, &c)
	fs.StringVar(&addr, "addr", defaultStoreAddr, "address to listen on (GATEHOUSE_STORE_ADDR, store.addr; never the HTTP server's)")
	fs.StringVar(&c.configFile, "config", "", "YAML or JSON config file")
	if err := parse(fs, args, &c.configFile); err != nil {
		return err
	}
	log := newLogger(stderr)
	emb, err := mongostore.StartEmbeddedLocked(c.dataDir, addr, log)
	if err != nil {
		return err
	}
	defer emb.Close()
	fmt.Fprintf(stdout, "embedded store serving %s from %s\n", emb.URI(), c.dataDir)
	<-ctx.Done()
	return nil
}
