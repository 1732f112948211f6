package engine_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/engine"
)

func TestEntrypointsOf(t *testing.T) {
	modules := engine.BuiltinModules()
	modules[engine.CustomPolicyPath("rule")] = "package custom.rule\n\n# METADATA\n# entrypoint: true\nanswer := 1\n\nhelper := 2\n"
	modules[engine.CustomPolicyPath("pkg")] = "# METADATA\n# scope: package\n# entrypoint: true\npackage custom.pkg\n\nx := 1\n"
	eps, err := engine.EntrypointsOf(modules)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{
		"gatehouse/authz/allow":              true,
		"gatehouse/authz/decision":           true,
		"/gatehouse/authz/decision/allowed":  true,
		"gatehouse/lookup/permissions":       true,
		"gatehouse/routes/decision":          true,
		"gatehouse/routes/route":             false,
		"gatehouse/lookup/resources":         true,
		"gatehouse/lookup/memberships":       true,
		"custom/rule/answer":                 true,
		"custom/pkg":                         true,
		"custom/pkg/x":                       true,
		"":                                   false,
		"/":                                  false,
		"gatehouse":                          false,
		"gatehouse/index":                    false,
		"gatehouse/index/users/alice":        false,
		"gatehouse/authz":                    false,
		"gatehouse/authz/failures":           false,
		"gatehouse/lookup":                   false,
		"gatehouse/lookup/_held_permissions": false,
		"gatehouse/grants":                   false,
		"custom":                             false,
		"custom/rule":                        false,
		"custom/rule/helper":                 false,
		"gatehouse//authz/allow":             false,
	}
	for path, want := range tests {
		if got := eps.Allows(path); got != want {
			t.Errorf("Allows(%q) = %v, want %v", path, got, want)
		}
	}
}
