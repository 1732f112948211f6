package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Header names the server reads and writes.
const (
	// UserHeader names the user a write is made on behalf of.
	UserHeader = "X-Gatehouse-User"
	// PendingHeader marks a write stored but not yet visible to decisions.
	PendingHeader = "X-Gatehouse-Pending"
)

// maxErrorBody bounds how much of a non-JSON error body is kept.
const maxErrorBody = 512

// Client calls one gatehouse server. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	http   *http.Client
	apiKey string
	retry  Retry
}

// Option configures a Client.
type Option func(*Client)

// WithAPIKey sends key as the bearer API key on every request.
func WithAPIKey(key string) Option { return func(c *Client) { c.apiKey = key } }

// WithHTTPClient sends requests through hc instead of http.DefaultClient.
// A nil hc keeps the default.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithRetry replaces the retry policy (DefaultRetry); Retry{Attempts: 1}
// turns retries off.
func WithRetry(r Retry) Option { return func(c *Client) { c.retry = r } }

// New returns a client of the server at baseURL ("http://host:port",
// optionally with a path prefix). It fails when baseURL is not an
// absolute http or https URL.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("gatehouse client: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("gatehouse client: base URL %q must be http(s)://host[:port]", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("gatehouse client: base URL %q must not have a query or fragment", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	c := &Client{base: u, http: http.DefaultClient, retry: DefaultRetry}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// call is one API request.
type call struct {
	method string
	path   string // escaped, from the API root: "/v1/records/r1"
	query  url.Values
	body   any // nil: no body
	header http.Header
	// retry: the request changes nothing, or the same again (GET, PUT,
	// DELETE, decisions); a create is never retried.
	retry bool
}

// reply is a response read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends c, retrying as the policy allows, and returns the reply when
// its status is 2xx; any other status is an *Error. out, when not nil,
// receives the JSON body of a 2xx reply that has one.
func (cl *Client) do(ctx context.Context, c call, out any) (reply, error) {
	body, err := encodeBody(c.body)
	if err != nil {
		return reply{}, err
	}
	r, err := cl.send(ctx, c, body)
	if err != nil {
		return r, err
	}
	if r.status < 200 || r.status > 299 {
		return r, errorFrom(r)
	}
	if out != nil && len(r.body) > 0 && r.status != http.StatusNoContent {
		if err := json.Unmarshal(r.body, out); err != nil {
			return r, fmt.Errorf("gatehouse client: %s %s: decoding the %d answer: %w", c.method, c.path, r.status, err)
		}
	}
	return r, nil
}

// send makes the attempts of one call.
func (cl *Client) send(ctx context.Context, c call, body []byte) (reply, error) {
	attempts := 1
	if c.retry {
		attempts = max(cl.retry.Attempts, 1)
	}
	for n := 0; ; n++ {
		r, err := cl.once(ctx, c, body)
		if n+1 >= attempts || !retryable(r, err) {
			return r, err
		}
		if !cl.retry.wait(ctx, n, r.header) {
			return r, err
		}
	}
}

// once makes one attempt.
func (cl *Client) once(ctx context.Context, c call, body []byte) (reply, error) {
	req, err := cl.request(ctx, c, body)
	if err != nil {
		return reply{}, err
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("gatehouse client: %s %s: %w", c.method, c.path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("gatehouse client: %s %s: reading the answer: %w", c.method, c.path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

// request builds the HTTP request of c.
func (cl *Client) request(ctx context.Context, c call, body []byte) (*http.Request, error) {
	u := *cl.base
	u.RawPath = cl.base.EscapedPath() + c.path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, fmt.Errorf("gatehouse client: path %q: %w", c.path, err)
	}
	u.Path = p
	u.RawQuery = c.query.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("gatehouse client: %w", err)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if cl.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+cl.apiKey)
	}
	return req, nil
}

// encodeBody marshals a request body; nil is no body.
func encodeBody(body any) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("gatehouse client: encoding the request: %w", err)
	}
	return raw, nil
}

// esc escapes one path segment: a resource URI or an id with '/' stays
// one segment.
func esc(s string) string { return url.PathEscape(s) }
