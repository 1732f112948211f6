package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gatehouse/gatehouse/api/wire"
	"github.com/gatehouse/gatehouse/engine"
)

// Page asks for one page of a listing: Cursor from the previous page
// ("" for the first), Limit items at most (0: the server's default).
type Page struct {
	Cursor string
	Limit  int
}

// values adds the page's parameters to q.
func (p Page) values(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	return q
}

// PermissionsResponse is the body of GET
// /v1/users/{userId}/resources/{uri}/permissions.
type PermissionsResponse = wire.PermissionsResponse

// MembershipsResponse is the body of GET /v1/users/{userId}/memberships.
type MembershipsResponse = wire.MembershipsResponse

// ResourcesResponse is one page of GET /v1/users/{userId}/resources;
// Cursor is set when there are more.
type ResourcesResponse = wire.ResourcesResponse

// ResourceItem names one resource pattern.
type ResourceItem = wire.ResourceItem

// Permissions lists what user holds on the resource URI.
func (c *Client) Permissions(ctx context.Context, user, resource string) ([]engine.HeldPermission, error) {
	var out PermissionsResponse
	path := "/v1/users/" + esc(user) + "/resources/" + esc(resource) + "/permissions"
	_, err := c.do(ctx, call{method: http.MethodGet, path: path, retry: true}, &out)
	return out.Permissions, err
}

// CheckPermission is the Authress-style check (GET
// /v1/users/{userId}/resources/{uri}/permissions/{action}): the allowing
// decision, or an *Error with status 404 and code permission_not_found
// when the user does not hold it.
func (c *Client) CheckPermission(ctx context.Context, user, resource, action string) (engine.Decision, error) {
	var d engine.Decision
	path := "/v1/users/" + esc(user) + "/resources/" + esc(resource) + "/permissions/" + esc(action)
	_, err := c.do(ctx, call{method: http.MethodGet, path: path, retry: true}, &d)
	return d, err
}

// Memberships lists the user's memberships reaching the context within
// (required: the server refuses an empty one).
func (c *Client) Memberships(ctx context.Context, user, within string) ([]engine.UserMembership, error) {
	var out MembershipsResponse
	q := url.Values{}
	if within != "" {
		q.Set("context", within)
	}
	_, err := c.do(ctx, call{method: http.MethodGet, path: "/v1/users/" + esc(user) + "/memberships", query: q, retry: true}, &out)
	return out.Memberships, err
}

// ResourcesQuery asks where a user holds a permission, under Prefix when
// it is not empty.
type ResourcesQuery struct {
	User       string
	Permission string
	Prefix     string
}

// Resources returns one page of the grant patterns through which the user
// holds the permission, sorted.
func (c *Client) Resources(ctx context.Context, q ResourcesQuery, p Page) (ResourcesResponse, error) {
	var out ResourcesResponse
	v := url.Values{"permission": {q.Permission}}
	if q.Prefix != "" {
		v.Set("prefix", q.Prefix)
	}
	path := "/v1/users/" + esc(q.User) + "/resources"
	_, err := c.do(ctx, call{method: http.MethodGet, path: path, query: p.values(v), retry: true}, &out)
	return out, err
}

// AllResources iterates over every page of Resources, limit at a time.
func (c *Client) AllResources(ctx context.Context, q ResourcesQuery, limit int) iter.Seq2[string, error] {
	return pages(func(cursor string) ([]string, string, error) {
		r, err := c.Resources(ctx, q, Page{Cursor: cursor, Limit: limit})
		uris := make([]string, len(r.Resources))
		for i, it := range r.Resources {
			uris[i] = it.ResourceURI
		}
		return uris, r.Cursor, err
	})
}

// AccessResponse is one page of GET /v1/users/{userId}/access.
type AccessResponse = wire.AccessResponse

// AccessGrant is one grant a user holds: where it comes from (a record,
// through Group when set, or a membership), its role on a resource
// pattern and what that role gives.
type AccessGrant = wire.AccessItem

// Access returns one page of the user's access map: every grant they hold.
func (c *Client) Access(ctx context.Context, user string, p Page) (AccessResponse, error) {
	var out AccessResponse
	_, err := c.do(ctx, call{method: http.MethodGet, path: "/v1/users/" + esc(user) + "/access", query: p.values(nil), retry: true}, &out)
	return out, err
}

// AllAccess iterates over every page of Access, limit at a time.
func (c *Client) AllAccess(ctx context.Context, user string, limit int) iter.Seq2[AccessGrant, error] {
	return pages(func(cursor string) ([]AccessGrant, string, error) {
		r, err := c.Access(ctx, user, Page{Cursor: cursor, Limit: limit})
		return r.Grants, r.Cursor, err
	})
}

// UsersQuery asks who holds Permission on Resource; with Grant, who may
// hand it out.
type UsersQuery struct {
	Resource   string
	Permission string
	Grant      bool
}

// UsersResponse is one page of GET /v1/resources/{uri}/users.
type UsersResponse = wire.UsersResponse

// UserAccess is one user holding the permission, and every way they do.
type UserAccess = engine.UserAccess

// Via is one grant through which a user holds a permission; Group is set
// when it reaches them through a group.
type Via = engine.AccessPath

// WhoHasAccess returns one page of the users holding the permission on
// the resource (GET /v1/resources/{uri}/users).
func (c *Client) WhoHasAccess(ctx context.Context, q UsersQuery, p Page) (UsersResponse, error) {
	var out UsersResponse
	v := url.Values{"permission": {q.Permission}}
	if q.Grant {
		v.Set("grant", "true")
	}
	path := "/v1/resources/" + esc(q.Resource) + "/users"
	_, err := c.do(ctx, call{method: http.MethodGet, path: path, query: p.values(v), retry: true}, &out)
	return out, err
}

// AllWhoHasAccess iterates over every page of WhoHasAccess, limit at a time.
func (c *Client) AllWhoHasAccess(ctx context.Context, q UsersQuery, limit int) iter.Seq2[UserAccess, error] {
	return pages(func(cursor string) ([]UserAccess, string, error) {
		r, err := c.WhoHasAccess(ctx, q, Page{Cursor: cursor, Limit: limit})
		return r.Users, r.Cursor, err
	})
}

// pages iterates over the items of successive pages: next fetches the
// page after cursor and returns its items and the next cursor ("" at the
// end). An error is yielded once, and ends the iteration.
func pages[T any](next func(cursor string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cursor := ""
		for {
			items, after, err := next(cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if after == "" || after == cursor {
				return
			}
			cursor = after
		}
	}
}
