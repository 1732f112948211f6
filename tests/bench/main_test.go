package main

import (
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
