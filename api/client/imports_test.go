package client_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNeitherGinNorAPI holds the package comment's rule: services
// take the client without the server's HTTP stack (package wire, the
// bodies both sides share, is the one api package it may import).
func TestImportsNeitherGinNorAPI(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		api := dep == "github.com/gatehouse/gatehouse/api" ||
			(strings.HasPrefix(dep, "github.com/gatehouse/gatehouse/api/") && dep != "github.com/gatehouse/gatehouse/api/client" && dep != "github.com/gatehouse/gatehouse/api/wire")
		if api || strings.HasPrefix(dep, "github.com/gin-gonic/") || strings.HasPrefix(dep, "go.mongodb.org/") {
			t.Errorf("the client imports %s", dep)
		}
	}
}
