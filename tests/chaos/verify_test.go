package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// view is one reading of every tracked document: its content as stored,
// or nil when absent.
type view map[*tracked]any

// write names one attempt: a document and the index of its PUT.
type write struct {
	doc   *tracked
	index int
}

func (w write) String() string {
	return fmt.Sprintf("%s/%s (PUT #%d to %c)", w.doc.collection(), w.doc.id, w.index, 'A'+w.doc.server)
}

// findings is what one verification pass found.
type findings struct {
	lost     map[write][]string // acknowledged writes missing, and where
	problems []string           // everything wrong, lost writes included
	read     map[string]int     // documents read (present or not), by where
	decided  map[string]int     // decisions checked, by server
}

func newFindings() *findings {
	return &findings{lost: map[write][]string{}, read: map[string]int{}, decided: map[string]int{}}
}

func (f *findings) add(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

func (f *findings) clean() bool { return len(f.problems) == 0 }

// match returns the index of the last attempt whose content is content,
// or -1.
func match(d *tracked, content any) int {
	if content == nil {
		return -1
	}
	for i := len(d.attempts) - 1; i >= 0; i-- {
		if sameContent(d.attempts[i].body, content) {
			return i
		}
	}
	return -1
}

// checkView holds one view to the rules: a document with an acknowledged
// write holds that write's content or a later attempt's; a document holds
// nothing but the content of one attempt that was not refused.
func (f *findings) checkView(where string, docs []*tracked, v view) {
	f.read[where] += len(docs)
	for _, d := range docs {
		content := v[d]
		m := match(d, content)
		if content != nil && m < 0 {
			f.add("%s: %s/%s holds content no writer sent: %+v", where, d.collection(), d.id, content)
		}
		if m >= 0 && d.attempts[m].outcome == rejected {
			f.add("%s: %s/%s holds the content of a refused write", where, d.collection(), d.id)
		}
		for i := m + 1; i < len(d.attempts); i++ {
			if d.attempts[i].outcome != acked {
				continue
			}
			w := write{d, i}
			f.lost[w] = append(f.lost[w], where)
			if content == nil {
				f.add("%s: lost acknowledged write %s: the document is absent", where, w)
			} else {
				f.add("%s: lost acknowledged write %s: it holds PUT #%d's content", where, w, m)
			}
		}
	}
}

// readServer GETs every tracked document from one server, eight at a time.
func (c *cluster) readServer(s *server, docs []*tracked) (view, error) {
	v := view{}
	var mu sync.Mutex
	var firstErr error
	work := make(chan *tracked)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				content, err := c.get(s, d)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				v[d] = content
				mu.Unlock()
			}
		}()
	}
	for _, d := range docs {
		work <- d
	}
	close(work)
	wg.Wait()
	return v, firstErr
}

// get reads one document through GET /v1/{collection}/{id}; nil when 404.
func (c *cluster) get(s *server, d *tracked) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestLimit)
	defer cancel()
	code, raw, err := c.send(ctx, http.MethodGet, s.base+"/v1/"+d.collection()+"/"+d.id, nil)
	switch {
	case err != nil:
		return nil, fmt.Errorf("GET %s/%s from %s: %w", d.collection(), d.id, s.name, err)
	case code == http.StatusNotFound:
		return nil, nil
	case code != http.StatusOK:
		return nil, fmt.Errorf("GET %s/%s from %s: %d %s", d.collection(), d.id, s.name, code, raw)
	}
	return decode(d.collection(), raw)
}

// exportView runs `gatehouse export` and reads every tracked document
// from the file.
func (c *cluster) exportView(docs []*tracked) (view, error) {
	file, err := c.export()
	if err != nil {
		return nil, err
	}
	v := view{}
	for _, d := range docs {
		if raw, ok := file[d.collection()][d.id]; ok {
			if v[d], err = decode(d.collection(), raw); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// expectation is one decision and the answer the stored content implies.
type expectation struct {
	check   map[string]string
	allowed bool
	why     string
}

// expectations derives decisions from the stored content: each version
// of a document allows something only it allows, and the version before
// it no longer does.
func expectations(docs []*tracked, v view) []expectation {
	var out []expectation
	add := func(d *tracked, m int, user, resource, perm func(int) string) {
		for _, ver := range []int{m, m - 1} {
			if ver < 0 {
				continue
			}
			why := fmt.Sprintf("%s/%s holds PUT #%d, so version %d is %s", d.collection(), d.id, m, ver, map[bool]string{true: "allowed", false: "denied"}[ver == m])
			check := map[string]string{"user": user(ver), "resource": resource(ver), "permission": perm(ver)}
			out = append(out, expectation{check: check, allowed: ver == m, why: why})
		}
	}
	fixed := func(s string) func(int) string { return func(int) string { return s } }
	for _, d := range docs {
		m := match(d, v[d])
		if m < 0 {
			continue
		}
		uri := func(ver int) string { return versionURI(d.id, ver) }
		companionStored := d.companion != nil && v[d.companion] != nil
		switch {
		case d.kind == kindRecord:
			add(d, m, fixed("u-"+d.id), uri, fixed("chaos:read"))
		case d.kind == kindMembership:
			add(d, m, fixed("m-"+d.id), uri, fixed("chaos:read"))
		case d.kind == kindRole && companionStored:
			add(d, m, fixed("h-"+d.id), fixed("chaos/"+d.id), func(ver int) string { return roleAction(d.id, ver) })
		case d.kind == kindGroup && companionStored:
			add(d, m, func(ver int) string { return groupUser(d.id, ver) }, fixed("chaos/"+d.id), fixed("chaos:read"))
		}
	}
	return out
}

// checkDecisions asks one server every expected decision through
// POST /v1/authorize/batch.
func (c *cluster) checkDecisions(f *findings, s *server, want []expectation) {
	const chunk = 500
	for start := 0; start < len(want); start += chunk {
		part := want[start:min(start+chunk, len(want))]
		checks := make([]map[string]string, len(part))
		for i, e := range part {
			checks[i] = e.check
		}
		ctx, cancel := context.WithTimeout(context.Background(), requestLimit)
		code, raw, err := c.send(ctx, http.MethodPost, s.base+"/v1/authorize/batch", map[string]any{"checks": checks})
		cancel()
		var out struct {
			Results []struct{ Allowed bool }
		}
		if err == nil && code == http.StatusOK {
			err = json.Unmarshal(raw, &out)
		}
		if err != nil || code != http.StatusOK || len(out.Results) != len(part) {
			f.add("server %s: decisions: %d %.200s %v", s.name, code, raw, err)
			return
		}
		f.decided[s.name] += len(part)
		for i, e := range part {
			if out.Results[i].Allowed != e.allowed {
				f.add("server %s: %v is allowed=%v, want %v: %s", s.name, e.check, out.Results[i].Allowed, e.allowed, e.why)
			}
		}
	}
}

// readBoth reads every document from both servers, retrying while a
// server fails to answer, and checks what each holds.
func (c *cluster) readBoth(t *testing.T, f *findings, docs []*tracked, limit time.Duration) [2]view {
	t.Helper()
	var views [2]view
	for i, s := range c.servers {
		start := time.Now()
		var err error
		waitFor(limit, func() bool {
			views[i], err = c.readServer(s, docs)
			return err == nil
		})
		if err != nil {
			f.add("server %s: %v", s.name, err)
			continue
		}
		t.Logf("read %d documents from server %s in %v", len(docs), s.name, time.Since(start).Round(time.Millisecond))
		f.checkView("server "+s.name+" GET", docs, views[i])
	}
	return views
}

// awaitDecisions asks both servers the decisions their stored content
// implies until every answer is as expected or limit passes; the last
// answers' problems go to f.
func (c *cluster) awaitDecisions(t *testing.T, f *findings, docs []*tracked, views [2]view, limit time.Duration) {
	t.Helper()
	start, lastLog := time.Now(), time.Now()
	for {
		pass := newFindings()
		for i, s := range c.servers {
			if views[i] != nil {
				c.checkDecisions(pass, s, expectations(docs, views[i]))
			}
		}
		if pass.clean() || time.Since(start) > limit {
			t.Logf("decisions checked %v; caught up: %v after %v", pass.decided, pass.clean(), time.Since(start).Round(time.Millisecond))
			f.problems = append(f.problems, pass.problems...)
			f.decided = pass.decided
			return
		}
		if time.Since(lastLog) > 5*time.Second {
			t.Logf("after %v, %d decisions still differ, first: %s", time.Since(start).Round(time.Second), len(pass.problems), pass.problems[0])
			lastLog = time.Now()
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// lostWrites lists lost writes, sorted, with where each was missing.
func (f *findings) lostWrites() []string {
	var out []string
	for w, where := range f.lost {
		out = append(out, fmt.Sprintf("%s missing on %v", w, where))
	}
	sort.Strings(out)
	return out
}
