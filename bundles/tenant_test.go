package bundles

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReaches(t *testing.T) {
	scope := []any{"tenants", "t1"}
	tests := []struct {
		pattern []any
		want    bool
	}{
		{[]any{"tenants"}, true},
		{[]any{"tenants", "t1"}, true},
		{[]any{"tenants", "t1", "docs"}, true},
		{[]any{"tenants", "*", "docs"}, true},
		{[]any{"*"}, true},
		{[]any{"tenants", "t2"}, false},
		{[]any{"accounts", "t1"}, false},
	}
	for _, tt := range tests {
		if got := reaches(tt.pattern, scope); got != tt.want {
			t.Errorf("reaches(%v) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func TestForTenantKeepsOnlyWhatReachesIt(t *testing.T) {
	mine := []any{"record", "r1", "reader", "tenants/t1/docs", 0}
	theirs := []any{"record", "r2", "reader", "tenants/t2", 0}
	wild := []any{"record", "r3", "writer", "tenants/*/x", 0, []any{"tenants", "*", "x"}}
	index := map[string]any{
		"users": map[string]any{
			"ann": map[string]any{"by_prefix": map[string]any{"tenants/t1/docs": []any{mine}}, "groups": []any{}},
			"bea": map[string]any{"by_prefix": map[string]any{"tenants/t2": []any{theirs}}, "groups": []any{"g2"}},
			"cid": map[string]any{"by_prefix": map[string]any{"tenants": []any{wild}}, "groups": []any{}},
		},
		"groups": map[string]any{"g2": map[string]any{"by_prefix": map[string]any{"tenants/t2": []any{theirs}}}},
		"roles":  map[string]any{"reader": "R", "writer": "W", "unused": "U"},
		"installations": map[string]any{
			"i1": map[string]any{"extension": "e1", "resources": []any{map[string]any{"segs": []any{"tenants", "t1"}}}},
			"i2": map[string]any{"extension": "e2", "resources": []any{map[string]any{"segs": []any{"tenants", "t2"}}}},
		},
		"extensions": map[string]any{"e1": "E1", "e2": "E2"},
	}
	got := ForTenant(index, "t1")
	want := map[string]any{
		"users": map[string]any{
			"ann": map[string]any{"by_prefix": map[string]any{"tenants/t1/docs": []any{mine}}, "groups": []any{}},
			"cid": map[string]any{"by_prefix": map[string]any{"tenants": []any{wild}}, "groups": []any{}},
		},
		"groups":        map[string]any{},
		"roles":         map[string]any{"reader": "R", "writer": "W"},
		"installations": map[string]any{"i1": index["installations"].(map[string]any)["i1"]},
		"extensions":    map[string]any{"e1": "E1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ForTenant (-want +got):\n%s", diff)
	}
}
