package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/policies"
)

// runTest runs _test.rego files against the built-in model, like opa test.
func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, p := newFlags("test", stderr)
	if err := parse(fs, args, p); err != nil {
		return err
	}
	modules, err := testModules(fs.Args())
	if err != nil {
		return err
	}
	parsed, err := parseModules(modules)
	if err != nil {
		return exitError{code: exitCompile, err: err}
	}
	return runTests(ctx, parsed, p.verbose, p.coverage, stdout)
}

// testModules collects the built-in model with its tests plus every .rego
// file under the given paths.
func testModules(paths []string) (map[string]string, error) {
	out := engine.BuiltinModules()
	for _, m := range policies.Tests() {
		out[m.Path] = m.Source
	}
	builtin := map[string]bool{}
	for _, src := range out {
		builtin[src] = true
	}
	for _, root := range paths {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
				return err
			}
			src, err := os.ReadFile(path)
			if !builtin[string(src)] { // a copy of the built-in model is loaded once
				out[path] = string(src)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseModules(modules map[string]string) (map[string]*ast.Module, error) {
	parsed := make(map[string]*ast.Module, len(modules))
	var errs []error
	for path, src := range modules {
		m, err := ast.ParseModuleWithOpts(path, src, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		parsed[path] = m
	}
	return parsed, errors.Join(errs...)
}

func runTests(ctx context.Context, modules map[string]*ast.Module, verbose, coverage bool, stdout io.Writer) error {
	cov := cover.New()
	runner := tester.NewRunner().SetModules(modules).EnableTracing(false)
	if coverage {
		runner = runner.SetCoverageQueryTracer(cov)
	}
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return exitError{code: exitCompile, err: err}
	}
	passed, failed := 0, 0
	for r := range ch {
		if r.Fail || r.Error != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL %s.%s (%s)\n", r.Package, r.Name, r.Location)
			if r.Error != nil {
				fmt.Fprintf(stdout, "  %v\n", r.Error)
			}
			continue
		}
		passed++
		if verbose {
			fmt.Fprintf(stdout, "PASS %s.%s\n", r.Package, r.Name)
		}
	}
	if coverage {
		report := cov.Report(modules)
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"coverage": report.Coverage})
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return exitError{code: exitFailure, err: fmt.Errorf("%d test(s) failed", failed)}
	}
	return nil
}

// runEval evaluates any query over the model with data from a snapshot
// file or a store.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, p := newFlags("eval", stderr)
	if err := parse(fs, args, p); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: gatehouse eval QUERY [--input FILE] [--data FILE | --mongo-uri URI]"}
	}
	input, err := readInput(p.input)
	if err != nil {
		return usageError{err.Error()}
	}
	eng := engine.NewWithOptions(newLogger(stderr), engine.Options{})
	if err := loadForEval(ctx, eng, p.store, p.data, stderr); err != nil {
		return err
	}
	result, err := eng.Eval(ctx, fs.Arg(0), input)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(result)
}

func readInput(path string) (any, error) {
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("input %s: %w", path, err)
	}
	return v, nil
}

func loadForEval(ctx context.Context, eng *engine.Engine, cfg mongostore.Config, dataFile string, stderr io.Writer) error {
	if dataFile != "" {
		snap, err := mongostore.ReadFile(dataFile)
		if err != nil {
			return err
		}
		_, err = eng.Load(ctx, snap)
		return err
	}
	store, err := openStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	_, err = eng.Refresh(ctx, store)
	return err
}
