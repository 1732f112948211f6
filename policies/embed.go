// Package policies embeds the built-in Rego model of gatehouse.
//
// The modules live under gatehouse/, one folder per Rego package; the
// _test.rego files beside them are embedded too, so that `gatehouse test`
// can run them, and are left out of bundles and the engine.
package policies

import (
	"embed"
	"io/fs"
	"strings"
)

//go:embed gatehouse
var files embed.FS

// Module is one Rego file of the built-in model.
type Module struct {
	Path   string // e.g. "gatehouse/authz/authz.rego"
	Source string
}

// Modules returns the built-in policy modules, without tests, sorted by path.
func Modules() []Module { return collect(false) }

// Tests returns the built-in _test.rego modules, sorted by path.
func Tests() []Module { return collect(true) }

func collect(tests bool) []Module {
	var out []Module
	err := fs.WalkDir(files, "gatehouse", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		if strings.HasSuffix(path, "_test.rego") != tests {
			return nil
		}
		src, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, Module{Path: path, Source: string(src)})
		return nil
	})
	if err != nil {
		panic("policies: embedded files unreadable: " + err.Error())
	}
	return out
}
