package client

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Doc is a document the management API serves.
type Doc interface {
	model.Role | model.Record | model.Group | model.Membership |
		model.Extension | model.Installation | model.Tenant | model.Policy
}

// Collection is the management API of one collection (/v1/{collection}).
// A document's version (Meta.Version) is its ETag: pass it to IfMatch to
// write only over that version.
type Collection[D Doc] struct {
	c    *Client
	name string
}

// Roles is the roles collection; the other methods below name theirs.
func (c *Client) Roles() *Collection[model.Role] { return &Collection[model.Role]{c, model.Roles} }

// Records is the access records collection. A record's id is Meta.ID:
// RecordID is the server's copy of it on output, not sent.
func (c *Client) Records() *Collection[model.Record] {
	return &Collection[model.Record]{c, model.Records}
}

// Groups is the groups collection.
func (c *Client) Groups() *Collection[model.Group] { return &Collection[model.Group]{c, model.Groups} }

// MembershipDocs is the memberships collection (the documents; the lookup of
// a user's memberships is Client.Memberships).
func (c *Client) MembershipDocs() *Collection[model.Membership] {
	return &Collection[model.Membership]{c, model.Memberships}
}

// Extensions is the extensions collection.
func (c *Client) Extensions() *Collection[model.Extension] {
	return &Collection[model.Extension]{c, model.Extensions}
}

// Installations is the installations collection.
func (c *Client) Installations() *Collection[model.Installation] {
	return &Collection[model.Installation]{c, model.Installations}
}

// Tenants is the tenants collection.
func (c *Client) Tenants() *Collection[model.Tenant] {
	return &Collection[model.Tenant]{c, model.Tenants}
}

// Policies is the custom policies collection (writes need the admin scope).
func (c *Client) Policies() *Collection[model.Policy] {
	return &Collection[model.Policy]{c, model.Policies}
}

// Name returns the collection's name, as in its path.
func (col *Collection[D]) Name() string { return col.name }

// WriteOption adjusts one write.
type WriteOption func(*writeOptions)

type writeOptions struct {
	ifMatch *int64
	actor   string
	force   bool
}

// IfMatch writes only when the document is at version (0: only when it
// does not exist yet); otherwise the write is a 409 *Error.
func IfMatch(version int64) WriteOption { return func(o *writeOptions) { o.ifMatch = &version } }

// OnBehalfOf makes the write for user, with the user's rights
// (X-Gatehouse-User) rather than the API key's.
func OnBehalfOf(user string) WriteOption { return func(o *writeOptions) { o.actor = user } }

// Force writes or deletes even when documents still name it (?force=true);
// the server refuses it on behalf of a user.
func Force() WriteOption { return func(o *writeOptions) { o.force = true } }

// apply fills c's headers and query with the options.
func (o writeOptions) apply(c *call) {
	c.header = http.Header{}
	if o.ifMatch != nil {
		c.header.Set("If-Match", strconv.Quote(strconv.FormatInt(*o.ifMatch, 10)))
	}
	if o.actor != "" {
		c.header.Set(UserHeader, o.actor)
	}
	if o.force {
		c.query = map[string][]string{"force": {"true"}}
	}
}

// Written is a stored document and how it was stored.
type Written[D Doc] struct {
	Doc      D
	ETag     string // the version, quoted: "3"
	Created  bool   // 201: it did not exist before
	Pending  bool   // 202: stored, visible to decisions at the next sync
	Location string // for a create: the document's path
}

// Deleted is how a delete went.
type Deleted struct {
	Pending bool // 202: deleted, visible to decisions at the next sync
}

// ListResponse is one page of a collection.
type ListResponse[D Doc] struct {
	Docs   []D
	Cursor string // set when there are more
}

func (col *Collection[D]) path(id string) string {
	if id == "" {
		return "/v1/" + col.name
	}
	return "/v1/" + col.name + "/" + esc(id)
}

// Get reads one document; a missing one is a 404 *Error (IsNotFound).
func (col *Collection[D]) Get(ctx context.Context, id string) (D, error) {
	var d D
	_, err := col.c.do(ctx, call{method: http.MethodGet, path: col.path(id), retry: true}, &d)
	return d, err
}

// List reads one page of the collection, in id order.
func (col *Collection[D]) List(ctx context.Context, p Page) (ListResponse[D], error) {
	var body map[string]json.RawMessage
	_, err := col.c.do(ctx, call{method: http.MethodGet, path: col.path(""), query: p.values(nil), retry: true}, &body)
	if err != nil {
		return ListResponse[D]{}, err
	}
	var out ListResponse[D]
	if err := decodeMember(body, col.name, &out.Docs); err != nil {
		return out, err
	}
	return out, decodeMember(body, "cursor", &out.Cursor)
}

// All iterates over every document of the collection, limit a page.
func (col *Collection[D]) All(ctx context.Context, limit int) iter.Seq2[D, error] {
	return pages(func(cursor string) ([]D, string, error) {
		r, err := col.List(ctx, Page{Cursor: cursor, Limit: limit})
		return r.Docs, r.Cursor, err
	})
}

// Put creates or replaces the document id (the document's own _id must be
// empty or equal).
func (col *Collection[D]) Put(ctx context.Context, id string, doc D, opts ...WriteOption) (Written[D], error) {
	c := call{method: http.MethodPut, path: col.path(id), body: doc, retry: true}
	return col.write(ctx, c, opts)
}

// Create stores a new document under its _id (for a record, its _id),
// or a generated id when it has none; a taken id is a 409 *Error. It is
// never retried.
func (col *Collection[D]) Create(ctx context.Context, doc D, opts ...WriteOption) (Written[D], error) {
	return col.write(ctx, call{method: http.MethodPost, path: col.path(""), body: doc}, opts)
}

// Delete removes the document id; documents still naming it make it a
// 409 *Error listing them, unless Force.
func (col *Collection[D]) Delete(ctx context.Context, id string, opts ...WriteOption) (Deleted, error) {
	c := call{method: http.MethodDelete, path: col.path(id), retry: true}
	options(opts).apply(&c)
	r, err := col.c.do(ctx, c, nil)
	return Deleted{Pending: isPending(r)}, err
}

func (col *Collection[D]) write(ctx context.Context, c call, opts []WriteOption) (Written[D], error) {
	options(opts).apply(&c)
	var w Written[D]
	r, err := col.c.do(ctx, c, &w.Doc)
	if err != nil {
		return w, err
	}
	w.ETag, w.Location = r.header.Get("ETag"), r.header.Get("Location")
	w.Created, w.Pending = r.status == http.StatusCreated, isPending(r)
	return w, nil
}

func options(opts []WriteOption) writeOptions {
	var o writeOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

func isPending(r reply) bool {
	return r.status == http.StatusAccepted && strings.EqualFold(r.header.Get(PendingHeader), "sync")
}

// decodeMember decodes body[key] into out; absent leaves out as it is.
func decodeMember(body map[string]json.RawMessage, key string, out any) error {
	raw, ok := body[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("gatehouse client: decoding %q of a list: %w", key, err)
	}
	return nil
}
