package chaos

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestChaosVerifier checks the checker: a lost acknowledged write, content
// nobody sent and a stale decision are each found, and a document holding
// its last acknowledged content (or a later unknown one) is clean.
func TestChaosVerifier(t *testing.T) {
	doc := func(outcomes ...outcome) *tracked {
		d := &tracked{kind: kindRecord, id: "rec-a0-1"}
		for v, o := range outcomes {
			d.attempts = append(d.attempts, attempt{body: body(d.kind, d.id, "", v), outcome: o})
		}
		return d
	}
	stored := func(d *tracked, v int) any { return body(d.kind, d.id, "", v) }
	for _, tc := range []struct {
		name     string
		outcomes []outcome
		content  func(*tracked) any
		lost     int
		problems int
	}{
		{"last acknowledged", []outcome{acked, acked}, func(d *tracked) any { return stored(d, 1) }, 0, 0},
		{"later unknown stored", []outcome{acked, unknown}, func(d *tracked) any { return stored(d, 1) }, 0, 0},
		{"unknown absent", []outcome{unknown}, func(*tracked) any { return nil }, 0, 0},
		{"acknowledged absent", []outcome{acked, unknown, acked}, func(*tracked) any { return nil }, 2, 2},
		{"older content", []outcome{acked, unknown, acked}, func(d *tracked) any { return stored(d, 1) }, 1, 1},
		{"content nobody sent", []outcome{acked}, func(d *tracked) any { return stored(d, 7) }, 1, 2},
		{"refused write stored", []outcome{rejected}, func(d *tracked) any { return stored(d, 0) }, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := doc(tc.outcomes...)
			f := newFindings()
			f.checkView("test", []*tracked{d}, view{d: tc.content(d)})
			if len(f.lost) != tc.lost || len(f.problems) != tc.problems {
				t.Errorf("lost %d, problems %d, want %d and %d: %v", len(f.lost), len(f.problems), tc.lost, tc.problems, f.problems)
			}
		})
	}
}

// TestChaosExpectations checks that the decisions derived from a stored
// version allow that version and deny the one before it.
func TestChaosExpectations(t *testing.T) {
	g := &tracked{kind: kindGroup, id: "grp-a0-2"}
	for v := range 3 {
		g.attempts = append(g.attempts, attempt{body: body(g.kind, g.id, "", v), outcome: acked})
	}
	g.companion = &tracked{kind: kindGrant, id: "grant-grp-a0-2", parent: g.id}
	g.companion.attempts = []attempt{{body: body(kindGrant, g.companion.id, g.id, 0), outcome: acked}}
	v := view{g: body(g.kind, g.id, "", 1), g.companion: body(kindGrant, g.companion.id, g.id, 0)}
	var got []string
	for _, e := range expectations([]*tracked{g, g.companion}, v) {
		got = append(got, e.check["user"]+" "+e.check["resource"]+" "+e.check["permission"]+" "+map[bool]string{true: "allow", false: "deny"}[e.allowed])
	}
	want := []string{"g-grp-a0-2-v1 chaos/grp-a0-2 chaos:read allow", "g-grp-a0-2-v0 chaos/grp-a0-2 chaos:read deny"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("expectations (-want +got):\n%s", diff)
	}
	delete(v, g.companion)
	if e := expectations([]*tracked{g, g.companion}, v); len(e) != 0 {
		t.Errorf("without its grant a group implies no decision, got %d", len(e))
	}
}
