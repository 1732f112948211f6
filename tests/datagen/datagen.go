// Package datagen generates deterministic data sets of any size for tests
// and benchmarks: users, groups, records with 1-3 statements, memberships,
// extensions and installations, with wildcards and expiry mixed in, and a
// few apps onboarded to a few tenants (apps.go).
package datagen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gatehouse/gatehouse/engine/model"
)

// Shape of a generated data set, as ratios of the user count.
const (
	usersPerAccount  = 10
	usersPerGroup    = 20
	recordsPerUser   = 2
	rolesCount       = 40
	extensionsCount  = 20
	membershipsRatio = 2 // one membership per this many users
)

var verbs = []string{"read", "write", "delete", "share", "admin"}
var nouns = []string{"chats", "files", "projects", "billing", "members", "settings"}

// Snapshot returns a data set for n users, the same for the same n and seed.
func Snapshot(n int, seed uint64) *model.Snapshot {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), n: n, now: time.Now()}
	s := &model.Snapshot{}
	s.Roles = g.roles()
	s.Groups = g.groups()
	s.Records = g.records()
	s.Memberships = g.memberships()
	s.Extensions = g.extensions()
	s.Installations = g.installations()
	addApps(s) // and the tenants
	return s
}

type gen struct {
	r   *rand.Rand
	n   int
	now time.Time
}

// User returns the id of user i.
func User(i int) string { return fmt.Sprintf("u%d", i) }

// Account returns the account URI of user i.
func Account(i int) string { return fmt.Sprintf("accounts/a%d", i/usersPerAccount) }

// Action returns a random concrete action.
func Action(r *rand.Rand) string {
	return verbs[r.IntN(len(verbs))] + ":" + nouns[r.IntN(len(nouns))]
}

// Resource returns a random resource under user i's account.
func Resource(r *rand.Rand, i int) string {
	switch r.IntN(3) {
	case 0:
		return Account(i)
	case 1:
		return fmt.Sprintf("%s/%s/%d", Account(i), nouns[r.IntN(len(nouns))], r.IntN(20))
	}
	return fmt.Sprintf("%s/projects/p%d/files/f%d", Account(i), r.IntN(5), r.IntN(50))
}

func (g *gen) roles() []model.Role {
	out := make([]model.Role, rolesCount)
	for i := range out {
		var perms []model.Permission
		for range 1 + g.r.IntN(4) {
			perms = append(perms, model.Permission{Action: g.pattern(), Grant: g.r.IntN(4) == 0})
		}
		out[i] = model.Role{Meta: model.Meta{ID: fmt.Sprintf("role%d", i)}, Name: fmt.Sprintf("Role %d", i), Permissions: perms}
		if i%17 == 16 {
			out[i].IsActive = new(bool)
		}
	}
	return out
}

func (g *gen) pattern() string {
	switch g.r.IntN(6) {
	case 0:
		return verbs[g.r.IntN(len(verbs))] + ":*"
	case 1:
		return "*:" + nouns[g.r.IntN(len(nouns))]
	}
	return Action(g.r)
}

func (g *gen) groups() []model.Group {
	out := make([]model.Group, max(1, g.n/usersPerGroup))
	for i := range out {
		users := make([]model.UserRef, 0, usersPerGroup)
		for j := range usersPerGroup {
			users = append(users, model.UserRef{UserID: User((i*usersPerGroup + j) % g.n)})
		}
		out[i] = model.Group{Meta: model.Meta{ID: fmt.Sprintf("g%d", i)}, Name: fmt.Sprintf("Group %d", i), Users: users}
	}
	return out
}

func (g *gen) records() []model.Record {
	out := make([]model.Record, g.n*recordsPerUser)
	for i := range out {
		u := i % g.n
		rec := model.Record{Meta: model.Meta{ID: fmt.Sprintf("rec%d", i)}, Name: "generated", Status: model.StatusActive}
		for range 1 + g.r.IntN(3) {
			rec.Statements = append(rec.Statements, g.statement(u))
		}
		switch {
		case i%10 == 0:
			rec.Groups = []model.GroupRef{{GroupID: fmt.Sprintf("g%d", u/usersPerGroup)}}
		default:
			rec.Users = []model.UserRef{{UserID: User(u)}}
		}
		g.vary(&rec, i)
		out[i] = rec
	}
	return out
}

func (g *gen) statement(u int) model.Statement {
	uri := Resource(g.r, u)
	if g.r.IntN(8) == 0 {
		uri = Account(u) + "/*/" + fmt.Sprint(g.r.IntN(20))
	}
	return model.Statement{
		Roles:     []string{fmt.Sprintf("role%d", g.r.IntN(rolesCount))},
		Resources: []model.ResourceRef{{ResourceURI: uri}},
	}
}

// vary marks some records deleted, expired or expiring later.
func (g *gen) vary(rec *model.Record, i int) {
	switch i % 23 {
	case 5:
		rec.Status = model.StatusDeleted
	case 7:
		past := g.now.Add(-time.Hour)
		rec.ExpiresAt = &past
	case 11:
		future := g.now.Add(24 * time.Hour)
		rec.ExpiresAt = &future
	}
}

func (g *gen) memberships() []model.Membership {
	out := make([]model.Membership, g.n/membershipsRatio)
	for i := range out {
		u := i * membershipsRatio
		out[i] = model.Membership{
			Meta:    model.Meta{ID: fmt.Sprintf("m%d", i)},
			UserID:  User(u),
			Context: fmt.Sprintf("%s/projects/p%d", Account(u), g.r.IntN(5)),
			Roles:   []string{fmt.Sprintf("role%d", g.r.IntN(rolesCount))},
		}
	}
	return out
}

func (g *gen) extensions() []model.Extension {
	out := make([]model.Extension, extensionsCount)
	for i := range out {
		out[i] = model.Extension{Meta: model.Meta{ID: fmt.Sprintf("ext%d", i)}, Name: fmt.Sprintf("Extension %d", i),
			Permissions: []string{Action(g.r), Action(g.r), verbs[i%len(verbs)] + ":*"}}
	}
	return out
}

// Installation returns the id of the installation in user i's account.
func Installation(i int) string { return fmt.Sprintf("inst%d", i/usersPerAccount) }

func (g *gen) installations() []model.Installation {
	out := make([]model.Installation, max(1, g.n/usersPerAccount))
	for i := range out {
		status := model.StatusActive
		if i%9 == 8 {
			status = model.StatusDisabled
		}
		ext := i % extensionsCount
		out[i] = model.Installation{
			Meta:                 model.Meta{ID: fmt.Sprintf("inst%d", i)},
			ExtensionID:          fmt.Sprintf("ext%d", ext),
			Context:              fmt.Sprintf("accounts/a%d", i),
			ConsentedPermissions: []string{verbs[ext%len(verbs)] + ":*", Action(g.r)},
			InstalledBy:          User(i * usersPerAccount),
			Status:               status,
		}
	}
	return out
}

// Input is one generated question. Mode says which subject it asks for.
type Input struct {
	Mode                                     Mode
	User, Installation, Resource, Permission string
	App, Tenant                              string // ModeApp
}

// Mode is the kind of subject of a question.
type Mode int

// Modes of a question.
const (
	ModeUser Mode = iota
	ModeDelegated
	ModeInstallation
	ModeApp // an app in a tenant; see AppQueries
)

// Queries returns n random questions over a data set of users users, all
// in the given mode: users on their own account, through their account's
// installation, or as the installation alone.
func Queries(users, n int, seed uint64, mode Mode) []Input {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]Input, n)
	for i := range out {
		u := r.IntN(users)
		q := Input{Mode: mode, User: User(u), Installation: Installation(u), Resource: Resource(r, u), Permission: Action(r)}
		switch mode {
		case ModeUser:
			q.Installation = ""
		case ModeInstallation:
			q.User = ""
		}
		out[i] = q
	}
	return out
}

// MixedQueries returns n questions: 80% users, 10% through an
// installation, 10% installations alone.
func MixedQueries(users, n int, seed uint64) []Input {
	r := rand.New(rand.NewPCG(seed, seed+2))
	all := [][]Input{Queries(users, n, seed, ModeUser), Queries(users, n, seed, ModeDelegated), Queries(users, n, seed, ModeInstallation)}
	out := make([]Input, n)
	for i := range out {
		switch r.IntN(10) {
		case 0:
			out[i] = all[1][i]
		case 1:
			out[i] = all[2][i]
		default:
			out[i] = all[0][i]
		}
	}
	return out
}

// Map returns the question as a decision input, leaving out empty subjects.
func (q Input) Map() map[string]string {
	in := map[string]string{"resource": q.Resource, "permission": q.Permission}
	if q.User != "" {
		in["user"] = q.User
	}
	if q.Installation != "" {
		in["installation"] = q.Installation
	}
	if q.App != "" {
		in["app"] = q.App
	}
	if q.Tenant != "" {
		in["tenant"] = q.Tenant
	}
	return in
}
