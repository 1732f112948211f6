// Command gatehouse is the one binary: the server, the embedded store,
// import/export, demo data and policy tools, as pflag subcommands. It owns
// flags, env vars and config keys (one table, settings.go) and exit codes;
// the server's wiring lives in server. No other package may import it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Exit codes, distinct like OPA's so scripts can tell a wrong call from a
// failed run. `gatehouse test` follows SPEC section 8 (and `opa test`'s
// documented intent): 1 when a test fails, 2 when a policy or test file
// does not compile.
const (
	exitOK      = 0
	exitFailure = 1  // the command ran and failed; a test failed
	exitCompile = 2  // policies or test files do not compile
	exitUsage   = 64 // unknown command, bad flag, setting or config (EX_USAGE, sysexits.h)
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// usageError marks errors in how a command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }

func commands() map[string]command {
	return map[string]command{
		"serve":   {"run the HTTP server (embedded store unless --mongo-uri)", runServe},
		"store":   {"run the embedded MongoDB-compatible store alone", runStore},
		"import":  {"upsert every document of a JSON or YAML file", runImport},
		"export":  {"write every collection to a JSON or YAML file", runExport},
		"seed":    {"load the demo data set (--demo)", runSeed},
		"bundle":  {"build an OPA bundle file from the store (bundle build -o FILE)", runBundle},
		"version": {"print the version", runVersion},
		"test":    {"run _test.rego files against the built-in model (like opa test)", runTest},
		"eval":    {"evaluate a query over the model and a store or export file", runEval},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, cmds)
		return exitOK
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gatehouse: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return exitUsage
	}
	err := cmd.run(ctx, args[1:], stdout, stderr)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "gatehouse %s: %v\n", args[0], err)
	var ue usageError
	var ee exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		return exitUsage
	}
	return exitFailure
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: gatehouse COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'gatehouse COMMAND --help' for a command's flags.")
}
