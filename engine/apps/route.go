package apps

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/engine/model"
)

// ErrInvalidPath is wrapped by the error Matcher.Match returns for a
// path it refuses to match.
var ErrInvalidPath = errors.New("invalid request path")

// Route is what a request matched: the app, its resource and the action
// the method needs there (the answer's route: {app, resource, permission}).
type Route struct {
	App        string `json:"app"`
	Resource   string `json:"resource"`
	Permission string `json:"permission"`
}

// route is one active resource of an onboarded app, compiled.
type route struct {
	Route                          // Permission unset
	re          *regexp.Regexp     // resourcePath, as written
	allowed     uint16             // bit i: model.HTTPMethods[i] allowed
	permissions [numMethods]string // active permission per method, "" for none
	prefix      string             // every path re matches starts with it
}

const numMethods = 9 // len(model.HTTPMethods)

// Matcher finds the route of a request among the active resources of the
// apps onboarded to one tenant. Build it once per onboarding state
// (NewMatcher compiles every regex); Match compiles nothing and is safe
// for concurrent use.
//
// Order: routes are tried by app id, then in the order the manifest lists
// its resources. The first active resource whose regex matches the path
// and whose allowedHttpMethods include the method decides: its active
// permission for the method is the route's; when it has none, the request
// has no route (it does not fall through to a later resource, so
// deactivating a permission never hands its paths to a broader resource).
//
// Match does not try every regex: each regex anchored at the start (^ or
// \A) has a literal prefix every match starts with, and a radix tree of
// those prefixes yields only the routes whose prefix the path starts with
// (unanchored regexes are tried for every path).
type Matcher struct {
	routes []route
	tree   *radix
}

// NewMatcher compiles the active resources of the manifests (the versions
// onboarded to one tenant). It returns an error for a resourcePath that
// does not compile, which a validated manifest never has.
func NewMatcher(manifests []*model.Manifest) (*Matcher, error) {
	sorted := slices.Clone(manifests)
	slices.SortFunc(sorted, func(a, b *model.Manifest) int { return cmp.Compare(a.AppID, b.AppID) })
	m := &Matcher{tree: &radix{}}
	for _, man := range sorted {
		for i := range man.Resources {
			res := &man.Resources[i]
			if !res.Active() {
				continue
			}
			r, err := compileRoute(man.AppID, res)
			if err != nil {
				return nil, err
			}
			m.tree.insert(r.prefix, int32(len(m.routes)))
			m.routes = append(m.routes, r)
		}
	}
	return m, nil
}

func compileRoute(app string, res *model.AppResource) (route, error) {
	re, err := regexp.Compile(res.ResourcePath)
	if err != nil {
		return route{}, fmt.Errorf("app %s resource %s: %w", app, res.Name, err)
	}
	r := route{Route: Route{App: app, Resource: res.Name}, re: re, prefix: literalPrefix(res.ResourcePath)}
	for _, method := range res.AllowedHTTPMethods {
		if i := methodIndex(method); i >= 0 {
			r.allowed |= 1 << i
		}
	}
	for _, p := range res.Permissions {
		if i := methodIndex(p.HTTPMethod); i >= 0 && p.Active() && r.permissions[i] == "" {
			r.permissions[i] = p.Action
		}
	}
	return r, nil
}

func methodIndex(method string) int { return slices.Index(model.HTTPMethods, method) }

// Len is the number of routes compiled.
func (m *Matcher) Len() int { return len(m.routes) }

// Match returns the route of a request, and false when there is none (a
// deny with denied_by "no_route"). The method is compared as sent (method
// names are case-sensitive). The path is the request's path without query
// or fragment, matched as sent; Match refuses with an error wrapping
// ErrInvalidPath a path CheckPath refuses.
func (m *Matcher) Match(method, path string) (Route, bool, error) {
	if err := CheckPath(path); err != nil {
		return Route{}, false, err
	}
	mi := methodIndex(method)
	if mi < 0 {
		return Route{}, false, nil
	}
	var buf [64]int32
	candidates := m.tree.lookup(path, buf[:0])
	slices.Sort(candidates)
	for _, i := range candidates {
		if r, ok, decided := m.routes[i].try(mi, path); decided {
			return r, ok, nil
		}
	}
	return Route{}, false, nil
}

// scan is Match without the index: every route in order. It is the
// definition Match is held to (tests, fuzzing, benchmarks).
func (m *Matcher) scan(method, path string) (Route, bool, error) {
	if err := CheckPath(path); err != nil {
		return Route{}, false, err
	}
	mi := methodIndex(method)
	if mi < 0 {
		return Route{}, false, nil
	}
	for i := range m.routes {
		if r, ok, decided := m.routes[i].try(mi, path); decided {
			return r, ok, nil
		}
	}
	return Route{}, false, nil
}

// try reports whether r decides the request and, if so, its route.
func (r *route) try(mi int, path string) (Route, bool, bool) {
	if r.allowed&(1<<mi) == 0 || !r.re.MatchString(path) {
		return Route{}, false, false
	}
	if r.permissions[mi] == "" {
		return Route{}, false, true
	}
	out := r.Route
	out.Permission = r.permissions[mi]
	return out, true, true
}

// CheckPath checks a request path by the rules of resource URIs (SPEC
// section 3, model.NormalizeURI): it starts with "/"; no empty, "." or
// ".." segment (nor one spelled with %2e); no control character or
// invalid UTF-8; at most model.MaxURIBytes and model.MaxURISegments. "/"
// alone and one trailing "/" are allowed. A query ("?") or fragment ("#")
// must be split off before.
func CheckPath(path string) error {
	switch {
	case !strings.HasPrefix(path, "/"):
		return fmt.Errorf("%w: %q does not start with \"/\"", ErrInvalidPath, path)
	case strings.ContainsAny(path, "?#"):
		return fmt.Errorf("%w: %q holds a query or fragment", ErrInvalidPath, path)
	case path == "/":
		return nil
	}
	if _, err := model.NormalizeURI(path); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPath, err)
	}
	for seg := range strings.SplitSeq(path, "/") {
		if len(seg) > 2 && strings.Contains(strings.ToLower(seg), "%2e") {
			if d := strings.ReplaceAll(strings.ToLower(seg), "%2e", "."); d == "." || d == ".." {
				return fmt.Errorf("%w: %q: %w", ErrInvalidPath, path, model.ErrDotSegment)
			}
		}
	}
	return nil
}

// Spec describes one compiled route as the Matcher tries it, so that
// another evaluator (the Rego of gatehouse.routes) can try the same routes
// in the same order: Pattern is the resourcePath as written, Prefix the
// literal text every path it matches starts with ("" for none), Methods
// the allowed methods, each with its active permission ("" for none).
type Spec struct {
	App      string
	Resource string
	Pattern  string
	Prefix   string
	Methods  map[string]string
}

// Specs lists the routes in the order Match tries them.
func (m *Matcher) Specs() []Spec {
	out := make([]Spec, len(m.routes))
	for i := range m.routes {
		r := &m.routes[i]
		s := Spec{App: r.App, Resource: r.Resource, Pattern: r.re.String(), Prefix: r.prefix, Methods: map[string]string{}}
		for mi, method := range model.HTTPMethods {
			if r.allowed&(1<<mi) != 0 {
				s.Methods[method] = r.permissions[mi]
			}
		}
		out[i] = s
	}
	return out
}
