package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Timings given to the servers: short, so a test waits seconds, not the
// production defaults' minutes.
const (
	syncInterval   = 100 * time.Millisecond
	resyncInterval = 2 * time.Second
	writeTimeout   = 2 * time.Second
	mongoTimeout   = 2 * time.Second

	startLimit   = 60 * time.Second // for a process to listen or be ready
	requestLimit = 20 * time.Second // for one HTTP request
)

// baseRole is the role every record and membership the writers send
// gives; it allows chaos:read.
const baseRole = "chaos-base"

// cluster is the shared store and the two servers.
type cluster struct {
	t         *testing.T
	bin       string
	storeAddr string
	store     *process
	servers   [2]*server
	client    *http.Client
}

// server is one `gatehouse serve` process.
type server struct {
	name string
	base string
	addr string
	proc *process
}

// startCluster starts the store and both servers and waits until they are
// ready.
func startCluster(t *testing.T, bin string) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: bin, storeAddr: freeAddr(t), client: &http.Client{Timeout: requestLimit}}
	t.Cleanup(c.client.CloseIdleConnections)
	dir := t.TempDir()
	c.store = newProcess(t, "store", bin, "store", "--data-dir", filepath.Join(dir, "store"), "--addr", c.storeAddr)
	c.startStore()
	for i, name := range []string{"A", "B"} {
		addr := freeAddr(t)
		s := &server{name: name, addr: addr, base: "http://" + addr}
		s.proc = newProcess(t, "server-"+name, bin, "serve",
			"--mongo-uri", c.mongoURI(), "--addr", addr, "--data-dir", filepath.Join(dir, "server-"+name),
			"--sync-interval", syncInterval.String(), "--resync-interval", resyncInterval.String(),
			"--write-timeout", writeTimeout.String(), "--mongo-timeout", mongoTimeout.String())
		c.servers[i] = s
		s.proc.start()
	}
	for _, s := range c.servers {
		c.waitReady(s)
	}
	return c
}

func (c *cluster) mongoURI() string { return "mongodb://" + c.storeAddr + "/" }

// startStore starts the store process and waits until it listens.
func (c *cluster) startStore() {
	c.t.Helper()
	c.store.start()
	if !waitFor(startLimit, func() bool { return listening(c.storeAddr) || !c.store.alive() }) || !c.store.alive() {
		c.t.Fatalf("the store did not listen on %s within %v", c.storeAddr, startLimit)
	}
}

// restart starts a killed server again on the same port and waits until it
// is ready.
func (c *cluster) restart(s *server) {
	c.t.Helper()
	s.proc.start()
	c.waitReady(s)
}

func (c *cluster) waitReady(s *server) {
	c.t.Helper()
	if !waitFor(startLimit, func() bool { return ready(c.client, s.base) || !s.proc.alive() }) || !s.proc.alive() {
		c.t.Fatalf("server %s (%s) was not ready within %v", s.name, s.base, startLimit)
	}
}

// seed writes the base role through A and waits until B knows it, so
// either server accepts records and memberships that give it.
func (c *cluster) seed() {
	c.t.Helper()
	role := map[string]any{"name": "chaos base", "permissions": []map[string]string{{"action": "chaos:read"}}}
	code, body, err := c.send(context.Background(), http.MethodPut, c.servers[0].base+"/v1/roles/"+baseRole, role)
	if err != nil || code/100 != 2 {
		c.t.Fatalf("PUT role %s: %d %s %v", baseRole, code, body, err)
	}
	probe := membership{UserID: "seed-probe", Context: "chaos/seed", Roles: []string{baseRole}}
	ok := waitFor(startLimit, func() bool {
		code, _, err := c.send(context.Background(), http.MethodPut, c.servers[1].base+"/v1/memberships/seed-probe", probe)
		return err == nil && code/100 == 2
	})
	if !ok {
		c.t.Fatalf("server B did not learn role %s within %v", baseRole, startLimit)
	}
}

// send makes one request with a JSON body (nil for none) and returns the
// status and body; err is a transport error: the outcome is unknown.
func (c *cluster) send(ctx context.Context, method, url string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, raw, nil
}

// export runs `gatehouse export` against the store into a file and
// returns the documents by collection and id.
func (c *cluster) export() (map[string]map[string]json.RawMessage, error) {
	file := filepath.Join(c.t.TempDir(), "export.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*startLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, "export", file, "--mongo-uri", c.mongoURI(), "--mongo-timeout", "10s")
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gatehouse export: %w\n%s", err, out)
	}
	return readExport(file)
}
