package chaos

import (
	"flag"
	"fmt"
	"testing"
	"time"
)

var (
	rounds = flag.Int("chaos.rounds", 1,
		"kill rounds: each SIGKILLs a server (A, then B, alternating) and then the store, with writes in flight")
	perPhase = flag.Int64("chaos.writes", 40,
		"acknowledged writes per server to wait for between kills")
)

// Limits of the waits between kills; generous, since the machine is
// shared. They bound a failure, not a passing run.
const (
	resumeLimit   = 90 * time.Second // writes acknowledged again after a kill
	outageLimit   = 5 * time.Second  // a write fails while the store is down
	convergeLimit = 10*resyncInterval + 60*time.Second
)

// writers per server: A takes most writes, B some.
var writers = [2]int{4, 2}

func TestChaos(t *testing.T) {
	if *rounds < 1 {
		t.Fatalf("-chaos.rounds=%d: want at least 1", *rounds)
	}
	start := time.Now()
	bin := buildBinary(t)
	t.Logf("built gatehouse in %v", time.Since(start).Round(time.Millisecond))
	c := startCluster(t, bin)
	c.seed()
	l := startLoad(c, writers, uint64(time.Now().UnixNano()))
	t.Cleanup(l.finish)
	for r := range *rounds {
		c.round(t, l, r)
	}
	l.finish()
	docs := l.docs
	if len(l.rejected) > 0 {
		t.Errorf("%d writes refused with a 4xx other than 409, first: %s", len(l.rejected), l.rejected[0])
	}
	for _, s := range c.servers {
		c.waitReady(s)
	}
	f := newFindings()
	views := c.readBoth(t, f, docs, convergeLimit)
	c.awaitDecisions(t, f, docs, views, convergeLimit)
	exported, err := c.exportView(docs)
	if err != nil {
		f.add("export: %v", err)
	} else {
		f.checkView("export", docs, exported)
	}
	t.Logf("unknown outcomes by cause: %v; documents read: %v; decisions checked: %v", l.causes, f.read, f.decided)
	report(t, docs, exported, f, time.Since(start))
}

// round kills one server with writes in flight and restarts it, then
// kills the store and restarts it, waiting for writes to be acknowledged
// again after each.
func (c *cluster) round(t *testing.T, l *load, r int) {
	t.Helper()
	victim := c.servers[r%2]
	l.waitAcked(t, fmt.Sprintf("round %d, before the server kill", r), *perPhase, resumeLimit, r%2)
	inFlight := l.inFlight[r%2].Load()
	victim.proc.kill()
	t.Logf("round %d: SIGKILL server %s with %d writes in flight", r, victim.name, inFlight)
	c.restart(victim)
	l.waitAcked(t, fmt.Sprintf("round %d, after server %s restarted", r, victim.name), *perPhase, resumeLimit, r%2)
	inFlight = l.inFlight[0].Load() + l.inFlight[1].Load()
	c.store.kill()
	failed := l.waitFailed(0, outageLimit)
	t.Logf("round %d: SIGKILL the store with %d writes in flight (writes failed while it was down: %v)", r, inFlight, failed)
	c.startStore()
	l.waitAcked(t, fmt.Sprintf("round %d, after the store restarted", r), *perPhase/2, resumeLimit, 0, 1)
}

// report logs the counts and fails the test on any finding. An unknown
// write is "stored" when the export holds its content.
func report(t *testing.T, docs []*tracked, exported view, f *findings, took time.Duration) {
	t.Helper()
	var n [3]int
	var ackedOn [2]int
	unknownStored := 0
	for _, d := range docs {
		for i, a := range d.attempts {
			n[a.outcome]++
			if a.outcome == acked {
				ackedOn[d.server]++
			}
			if a.outcome == unknown && match(d, exported[d]) == i {
				unknownStored++
			}
		}
	}
	t.Logf("chaos: %d rounds, %d documents; acknowledged %d (A %d, B %d), lost %d; unknown outcome %d (%d of them stored); refused %d; took %v",
		*rounds, len(docs), n[acked], ackedOn[0], ackedOn[1], len(f.lost), n[unknown], unknownStored, n[rejected], took.Round(time.Millisecond))
	for _, w := range f.lostWrites() {
		t.Errorf("lost: %s", w)
	}
	for i, p := range f.problems {
		if i == 50 {
			t.Errorf("... and %d more problems", len(f.problems)-i)
			break
		}
		t.Errorf("%s", p)
	}
	if n[acked] == 0 {
		t.Errorf("no write was acknowledged: the test proved nothing")
	}
}
