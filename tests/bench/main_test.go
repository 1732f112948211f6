package main

import (
	"os/exec"
	"testing"
	"time"
)

func TestOptionsValidate(t *testing.T) {
	ok := options{users: 10, concurrency: 2, duration: time.Second, only: targetNames}
	cases := []struct {
		name     string
		change   func(*options)
		problems int
	}{
		{"defaults", func(*options) {}, 0},
		{"no users", func(o *options) { o.users = 0 }, 1},
		{"no duration", func(o *options) { o.duration = 0 }, 1},
		{"reuse without a work dir", func(o *options) { o.reuse = true }, 1},
		{"reuse with a work dir", func(o *options) { o.reuse, o.workDir = true, "/tmp/x" }, 0},
		{"unknown target", func(o *options) { o.only = []string{"opa", "nginx"} }, 1},
		{"everything wrong", func(o *options) { o.users, o.warmup, o.reuse, o.only = -1, -time.Second, true, []string{"x"} }, 4},
	}
	for _, c := range cases {
		o := ok
		c.change(&o)
		if got := o.validate(); len(got) != c.problems {
			t.Errorf("%s: %d problems %q, want %d", c.name, len(got), got, c.problems)
		}
	}
}

// TestCPUTime: a busy single-threaded process's CPU time grows, and
// never exceeds the wall time since it started (a wrong tick unit would).
func TestCPUTime(t *testing.T) {
	cmd := exec.Command("sh", "-c", "while :; do :; done")
	if err := cmd.Start(); err != nil {
		t.Skip("no sh:", err)
	}
	start := time.Now()
	p := &process{cmd: cmd}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for p.cpuTime() < 100*time.Millisecond {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("cpu time %v after 30 s of a busy loop", p.cpuTime())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if cpu, wall := p.cpuTime(), time.Since(start); cpu > wall+20*time.Millisecond {
		t.Errorf("cpu time %v exceeds the wall time %v of one thread", cpu, wall)
	}
}
