package wire_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNoServer holds the package comment's rule: the client takes
// these bodies without Gin, the api package or a store driver.
func TestImportsNoServer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		server := strings.HasPrefix(dep, "github.com/gatehouse/gatehouse/api") && dep != "github.com/gatehouse/gatehouse/api/wire"
		if server || strings.HasPrefix(dep, "github.com/gin-gonic/") || strings.HasPrefix(dep, "go.mongodb.org/") {
			t.Errorf("package wire imports %s", dep)
		}
	}
}
