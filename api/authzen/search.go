package authzen

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

// The search routes, as the spec names them.
const (
	PathSearchSubject  = "/access/v1/search/subject"
	PathSearchResource = "/access/v1/search/resource"
	PathSearchAction   = "/access/v1/search/action"
)

// Search is the body of the three search requests: the entities of an
// evaluation with the searched one partly given (its type), and a page.
type Search struct {
	Evaluation
	Page *PageRequest `json:"page,omitempty"`
}

// PageRequest asks for one page: after token, at most limit results.
type PageRequest struct {
	Token string `json:"token,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

// SearchResponse is a search's answer. Page.NextToken is "" on the last
// page. Context, for a resource search, lists the subject's grants that
// reach resources beyond the known ones (see engine.ResourcePage).
type SearchResponse[T any] struct {
	Results []T            `json:"results"`
	Page    PageResponse   `json:"page"`
	Context *SearchContext `json:"context,omitempty"`
}

// PageResponse carries the token of the next page.
type PageResponse struct {
	NextToken string `json:"next_token"`
}

// SearchContext is what a resource search adds beyond its results:
// Covering holds the subject's grants on the searched type or above and
// its "*" patterns there, as URIs: they reach resources Gatehouse has
// never seen named, which no list of known resources can show.
type SearchContext struct {
	Covering []string `json:"covering"`
}

// Searches are what the search handlers call; the api package wires them
// to the engine.
type Searches struct {
	// Subjects lists, by user id after after, the users holding action
	// on resource; next is the last id of a truncated page.
	Subjects  func(ctx context.Context, resource, action, after string, limit int) (users []string, next string, err error)
	Resources func(ctx context.Context, q engine.ResourceSearch) (engine.ResourcePage, error)
	Actions   func(ctx context.Context, in engine.Input) ([]string, error)
	// DefaultLimit and MaxLimit bound page.limit.
	DefaultLimit, MaxLimit int
}

func (h handlers) registerSearch(g gin.IRoutes) {
	g.POST("/search/subject", h.searchSubject)
	g.POST("/search/resource", h.searchResource)
	g.POST("/search/action", h.searchAction)
}

func (h handlers) searchSubject(c *gin.Context) {
	req, limit, after, ok := h.search(c, tokenSubject)
	if !ok {
		return
	}
	var ps model.Problems
	if req.Subject == nil || req.Subject.Type == "" {
		ps.Add("subject.type", "is required")
	} else if req.Subject.Type != SubjectUser {
		ps.Add("subject.type", "is %q; a subject search lists users, type %s", req.Subject.Type, SubjectUser)
	}
	uri := resource(&ps, req.Resource)
	action := actionName(&ps, req.Action)
	if h.refuse(c, ps) {
		return
	}
	users, next, err := h.Search.Subjects(c.Request.Context(), uri, action, after, limit)
	if err != nil {
		h.Fail(c, h.searchError(err))
		return
	}
	out := SearchResponse[Subject]{Results: []Subject{}, Page: PageResponse{NextToken: token(tokenSubject, next)}}
	for _, u := range users {
		out.Results = append(out.Results, Subject{Type: SubjectUser, ID: u})
	}
	c.JSON(http.StatusOK, out)
}

func (h handlers) searchResource(c *gin.Context) {
	req, limit, after, ok := h.search(c, tokenResource)
	if !ok {
		return
	}
	var ps model.Problems
	in := h.searchInput(&ps, req.Evaluation)
	if req.Resource == nil || strings.TrimSpace(req.Resource.Type) == "" {
		ps.Add("resource.type", "is required")
	}
	in.Permission = actionName(&ps, req.Action)
	if h.refuse(c, ps) {
		return
	}
	parent := req.Resource.Type
	if norm, err := model.NormalizeURI(parent); err == nil {
		parent = norm // else the engine lists the problem
	}
	page, err := h.Search.Resources(c.Request.Context(), engine.ResourceSearch{Input: in, Parent: parent, After: after, Limit: limit})
	if err != nil {
		h.Fail(c, h.searchError(err))
		return
	}
	out := SearchResponse[Resource]{Results: []Resource{}, Page: PageResponse{NextToken: token(tokenResource, page.Next)}}
	for _, uri := range page.URIs {
		out.Results = append(out.Results, Resource{Type: parent, ID: strings.TrimPrefix(uri, parent+"/")})
	}
	if page.Covering != nil {
		out.Context = &SearchContext{Covering: page.Covering}
	}
	c.JSON(http.StatusOK, out)
}

func (h handlers) searchAction(c *gin.Context) {
	req, _, _, ok := h.search(c, tokenAction)
	if !ok {
		return
	}
	var ps model.Problems
	in := h.searchInput(&ps, req.Evaluation)
	in.Resource = resource(&ps, req.Resource)
	if h.refuse(c, ps) {
		return
	}
	actions, err := h.Search.Actions(c.Request.Context(), in)
	if err != nil {
		h.Fail(c, h.searchError(err))
		return
	}
	out := SearchResponse[Action]{Results: []Action{}}
	for _, a := range actions {
		out.Results = append(out.Results, Action{Name: a})
	}
	c.JSON(http.StatusOK, out)
}

// search reads a search body and its page; on failure it has rendered
// the error.
func (h handlers) search(c *gin.Context, kind byte) (req Search, limit int, after string, ok bool) {
	raw, ok := h.body(c)
	if !ok {
		return Search{}, 0, "", false
	}
	req, err := parseSearch(raw, h.Search.MaxLimit)
	if err != nil {
		h.Fail(c, h.decodeError(err))
		return Search{}, 0, "", false
	}
	var ps model.Problems
	limit, after = h.page(&ps, req.Page, kind)
	if h.refuse(c, ps) {
		return Search{}, 0, "", false
	}
	return req, limit, after, true
}

// searchInput maps the subject (and context, for an app) of a search.
func (h handlers) searchInput(ps *model.Problems, e Evaluation) engine.Input {
	var in engine.Input
	subject(ps, e.Subject, &in)
	if in.App != "" {
		in.Tenant = tenant(ps, e.Context)
	}
	return in
}

func actionName(ps *model.Problems, a *Action) string {
	if a == nil || strings.TrimSpace(a.Name) == "" {
		ps.Add("action.name", "is required")
		return ""
	}
	return a.Name
}

// refuse renders a 400 listing ps, if there are any.
func (h handlers) refuse(c *gin.Context, ps model.Problems) bool {
	if list := ps.List(); len(list) > 0 {
		h.Fail(c, h.Error(http.StatusBadRequest, CodeInvalid, "the request is invalid", list...))
		return true
	}
	return false
}

// searchError names the AuthZEN fields behind the engine's problems and
// answers them as a 400, as every bad AuthZEN request is.
func (h handlers) searchError(err error) error {
	bad, ok := err.(*engine.InvalidInputError)
	if !ok {
		return err
	}
	fields := map[string]string{"user": "subject.id", "installation": "subject.id", "app": "subject.id", "tenant": "context.tenant",
		"resource": "resource", "parent": "resource.type", "permission": "action.name"}
	ps := make([]model.Problem, len(bad.Problems))
	for i, p := range bad.Problems {
		ps[i] = p
		if f, ok := fields[p.Field]; ok {
			ps[i].Field = f
		}
	}
	return h.Error(http.StatusBadRequest, CodeInvalid, "the request is invalid", ps...)
}

// Page tokens: the kind of search, then the cursor, base64url. A token
// from another kind of search is refused.
const (
	tokenSubject  = 's'
	tokenResource = 'r'
	tokenAction   = 'a'
)

func token(kind byte, cursor string) string {
	if cursor == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(append([]byte{kind}, cursor...))
}

// page reads page.limit and page.token.
func (h handlers) page(ps *model.Problems, p *PageRequest, kind byte) (int, string) {
	limit := h.Search.DefaultLimit
	if p == nil {
		return limit, ""
	}
	if p.Limit != 0 {
		limit = p.Limit
	}
	var after string
	if p.Token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(p.Token)
		if err != nil || len(raw) < 2 || raw[0] != kind {
			ps.Add("page.token", "is not a token this server issued for this search")
		} else {
			after = string(raw[1:])
		}
	}
	return limit, after
}

// parsePage reads the optional page object, checking its limit's range.
func (s *shape) parsePage(tree map[string]any, maxLimit int) *PageRequest {
	v, ok := tree["page"]
	o := s.object("page", v, ok)
	if o == nil {
		return nil
	}
	p := &PageRequest{Token: s.str(o, "page", "token")}
	if v, ok := o["limit"]; ok {
		n, _ := v.(json.Number)
		limit, err := strconv.Atoi(string(n))
		if err != nil || limit < 1 || limit > maxLimit {
			s.ps.Add("page.limit", "must be a whole number from 1 to %d", maxLimit)
		}
		p.Limit = limit
	}
	return p
}

// parseSearch reads the body of a search request.
func parseSearch(raw []byte, maxLimit int) (Search, error) {
	tree, err := parseObject(raw)
	if err != nil {
		return Search{}, err
	}
	var s shape
	req := Search{Evaluation: s.evaluation(tree, ""), Page: s.parsePage(tree, maxLimit)}
	return req, shapeError(&s)
}
