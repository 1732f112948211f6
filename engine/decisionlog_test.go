package engine_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/decisionlog"
)

func TestDecisionLogWritesOneLinePerDecision(t *testing.T) {
	var buf bytes.Buffer
	log := decisionlog.New(decisionlog.NewWriterSink(&buf), 100)
	e := loadedOpts(t, engine.Options{DecisionCacheSize: engine.DefaultDecisionCacheSize, DecisionLog: log})
	in := engine.Input{User: "alice", Resource: "accounts/A", Permission: "read"}
	d, err := e.Decide(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Query(t.Context(), "gatehouse/authz/allow", map[string]any{"user": "bob"}, engine.QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	log.Close()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	var first struct {
		DecisionID string `json:"decision_id"`
		Revision   uint64
		LatencyNS  int64 `json:"latency_ns"`
		Input      engine.Input
		Result     struct{ Allowed bool }
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.DecisionID != d.DecisionID || first.Revision != d.Revision || first.LatencyNS <= 0 || first.Input != in || !first.Result.Allowed {
		t.Errorf("entry %+v does not match decision %+v", first, d)
	}
}
