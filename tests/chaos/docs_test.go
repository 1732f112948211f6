package chaos

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The fields the writers send, per collection. A stored document is read
// into the same type, so its extra fields (_id, version, defaults) do not
// take part in the comparison.
type (
	userRef struct {
		UserID string `json:"userId"`
	}
	groupRef struct {
		GroupID string `json:"groupId"`
	}
	resourceRef struct {
		ResourceURI string `json:"resourceUri"`
	}
	statement struct {
		Roles     []string      `json:"roles"`
		Resources []resourceRef `json:"resources"`
	}
	record struct {
		Name       string      `json:"name"`
		Status     string      `json:"status"`
		Users      []userRef   `json:"users,omitempty"`
		Groups     []groupRef  `json:"groups,omitempty"`
		Statements []statement `json:"statements"`
	}
	membership struct {
		UserID  string   `json:"userId"`
		Context string   `json:"context"`
		Roles   []string `json:"roles"`
	}
	permission struct {
		Action string `json:"action"`
	}
	role struct {
		Name        string       `json:"name"`
		Permissions []permission `json:"permissions"`
	}
	group struct {
		Name  string    `json:"name"`
		Users []userRef `json:"users"`
	}
)

// kind is what a tracked document is for.
type kind int

const (
	kindRecord     kind = iota // a record giving its user the base role
	kindMembership             // a membership giving its user the base role
	kindRole                   // a role whose one action changes per version
	kindGroup                  // a group whose one user changes per version
	kindHolder                 // a membership giving a kindRole role
	kindGrant                  // a record giving the base role to a kindGroup group
)

var kindInfo = map[kind]struct{ collection, prefix string }{
	kindRecord:     {"records", "rec"},
	kindMembership: {"memberships", "mem"},
	kindRole:       {"roles", "role"},
	kindGroup:      {"groups", "grp"},
	kindHolder:     {"memberships", "holder"},
	kindGrant:      {"records", "grant"},
}

// primaryKinds are the kinds a writer creates and updates; holders and
// grants follow their role or group.
var primaryKinds = []kind{kindRecord, kindMembership, kindRole, kindGroup}

// body returns version k of a document's content. Every version differs
// in a way a decision can see.
func body(k kind, id, parent string, v int) any {
	name := fmt.Sprintf("%s v%d", id, v)
	switch k {
	case kindRecord:
		return &record{Name: name, Status: "ACTIVE", Users: []userRef{{"u-" + id}}, Statements: baseGrant(versionURI(id, v))}
	case kindMembership:
		return &membership{UserID: "m-" + id, Context: versionURI(id, v), Roles: []string{baseRole}}
	case kindRole:
		return &role{Name: name, Permissions: []permission{{roleAction(id, v)}}}
	case kindGroup:
		return &group{Name: name, Users: []userRef{{groupUser(id, v)}}}
	case kindHolder:
		return &membership{UserID: "h-" + parent, Context: "chaos/" + parent, Roles: []string{parent}}
	case kindGrant:
		return &record{Name: "grant " + parent, Status: "ACTIVE", Groups: []groupRef{{parent}}, Statements: baseGrant("chaos/" + parent)}
	}
	panic(fmt.Sprintf("unknown kind %d", k))
}

func baseGrant(uri string) []statement {
	return []statement{{Roles: []string{baseRole}, Resources: []resourceRef{{uri}}}}
}

func versionURI(id string, v int) string { return fmt.Sprintf("chaos/%s/v%d", id, v) }
func roleAction(id string, v int) string { return fmt.Sprintf("chaos:%s-v%d", id, v) }
func groupUser(id string, v int) string  { return fmt.Sprintf("g-%s-v%d", id, v) }

// decode reads a stored document of a collection into the type sent.
func decode(collection string, raw []byte) (any, error) {
	var out any
	switch collection {
	case "records":
		out = &record{}
	case "memberships":
		out = &membership{}
	case "roles":
		out = &role{}
	case "groups":
		out = &group{}
	default:
		return nil, fmt.Errorf("no type for collection %q", collection)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("decode %s document %s: %w", collection, raw, err)
	}
	return out, nil
}

func sameContent(a, b any) bool { return cmp.Equal(a, b, cmpopts.EquateEmpty()) }

// readExport reads an export file into raw documents by collection and id.
func readExport(path string) (map[string]map[string]json.RawMessage, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file map[string][]json.RawMessage
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("export %s: %w", path, err)
	}
	out := map[string]map[string]json.RawMessage{}
	for collection, docs := range file {
		out[collection] = map[string]json.RawMessage{}
		for _, d := range docs {
			var meta struct {
				ID string `json:"_id"`
			}
			if err := json.Unmarshal(d, &meta); err != nil {
				return nil, fmt.Errorf("export %s: %s: %w", path, collection, err)
			}
			out[collection][meta.ID] = d
		}
	}
	return out, nil
}
