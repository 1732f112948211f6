package decisions

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/loader/loadertest"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

// rulesPath is the case file for TestRules.
const rulesPath = "testdata/rules.yaml"

// specRules names every rule of SPEC section 3 that rules.yaml must cover
// with at least one allowed and one denied case.
var specRules = []string{
	// Resource URIs.
	"uri-cascade",                 // a pattern covers the URIs it prefixes
	"uri-star-one-segment",        // a "*" segment matches exactly one segment
	"uri-trailing-star",           // a trailing "*" needs one more segment
	"uri-star-literal-in-request", // "*" in a request is a literal segment
	"uri-case-sensitive",          // URIs compare case-sensitively
	"uri-slashes-ignored",         // a leading or trailing "/" is ignored
	// Permissions.
	"perm-star",             // "*" implies every action
	"perm-prefix",           // "read" and "read:*" imply "read:projects"
	"perm-segment-star",     // "*:read" implies "projects:read"
	"perm-case-insensitive", // actions compare case-insensitively
	"perm-allow-false",      // only allow: true allows
	// Who holds what.
	"holder-record-user",        // users listed on a record
	"holder-group",              // groups listed on a record
	"holder-statement-users",    // users listed on a statement
	"holder-statement-groups",   // groups listed on a statement
	"holder-membership-cascade", // memberships cascade from their context
	"record-deleted",            // DELETED records grant nothing
	"record-expiry",             // expired records grant nothing
	"membership-expiry",         // expired memberships grant nothing
	"role-inactive",             // inactive roles grant nothing
	"role-unknown",              // roles that do not exist grant nothing
	// User through an extension.
	"via-installation",           // the user side of the intersection
	"via-installation-status",    // the installation must be ACTIVE
	"via-installation-scope",     // the installation's resources must cover
	"via-installation-consent",   // consented and requested
	"via-extension-withdrawn",    // consented but no longer requested
	"via-installation-resources", // resources narrower than the context
	// Extension as itself.
	"installation-alone",
}

// rulesFile is the shape of rules.yaml.
type rulesFile struct {
	// Data is imported through the loader, as `gatehouse import` would.
	Data json.RawMessage `json:"data"`
	// Unvalidated is written straight into the store, as an outside writer
	// could, bypassing the import's cross-collection checks.
	Unvalidated json.RawMessage `json:"unvalidated"`
	Cases       []ruleCase      `json:"cases"`
}

type ruleCase struct {
	Name     string           `json:"name"`
	Rule     string           `json:"rule"`
	Input    ruleInput        `json:"input"`
	Allowed  bool             `json:"allowed"`
	DeniedBy *string          `json:"denied_by"`
	Reasons  *[]engine.Reason `json:"reasons"` // compared only when given
	// Bug describes a known product bug that makes this case answer
	// against SPEC; see ruleProblems.
	Bug string `json:"bug"`
}

// ruleInput is a case's question, as the case file and the Data API
// take it; absent subjects are omitted.
type ruleInput struct {
	User         string `json:"user,omitempty"`
	Installation string `json:"installation,omitempty"`
	Resource     string `json:"resource"`
	Permission   string `json:"permission"`
}

// engine is the question as the client asks it.
func (in ruleInput) engine() engine.Input {
	return engine.Input{User: in.User, Installation: in.Installation, Resource: in.Resource, Permission: in.Permission}
}

// TestRules posts every case of rules.yaml to one server over the embedded
// store and checks allowed, denied_by and, where given, reasons. Each case
// also goes through the Data API, which evaluates the Rego entrypoint, and
// must answer exactly as /v1/authorize (native) does.
func TestRules(t *testing.T) {
	f, data, raw := loadRulesFile(t)
	expires := time.Now().Add(ruleExpiryDelay).Truncate(time.Millisecond)
	g := testkit.StartOn(t, seedRulesStore(t, data.Merge(expiringSoon(expires)), raw))
	t.Run("record-expiry+membership-expiry/expiry needs no reload", func(t *testing.T) {
		testLiveExpiry(t, g, expires)
	})
	for _, tc := range f.Cases {
		t.Run(tc.Rule+"/"+tc.Name, func(t *testing.T) {
			got, err := g.Client().Authorize(t.Context(), tc.Input.engine())
			if err != nil {
				t.Fatal(err)
			}
			var rego struct{ Result engine.Decision }
			g.JSON(http.MethodPost, "/v1/data/gatehouse/authz/decision", map[string]any{"input": tc.Input}, http.StatusOK, &rego)
			rego.Result.DecisionID, rego.Result.Revision = got.DecisionID, got.Revision
			if diff := gocmp.Diff(rego.Result, got); diff != "" {
				t.Errorf("/v1/authorize differs from the Rego entrypoint (-rego +authorize):\n%s", diff)
			}
			problems := ruleProblems(tc, got)
			switch {
			case tc.Bug != "" && len(problems) > 0:
				t.Skip("BUG: " + tc.Bug + "\n" + strings.Join(problems, "\n"))
			case tc.Bug != "":
				t.Errorf("marked as a bug but answers as SPEC says; remove the bug mark: %s", tc.Bug)
			}
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

// ruleProblems lists every way got differs from what tc expects.
func ruleProblems(tc ruleCase, got engine.Decision) []string {
	var out []string
	if got.Allowed != tc.Allowed || ruleString(got.DeniedBy) != ruleString(tc.DeniedBy) {
		out = append(out, fmt.Sprintf("allowed=%v denied_by=%s, want allowed=%v denied_by=%s (reasons %+v)",
			got.Allowed, ruleString(got.DeniedBy), tc.Allowed, ruleString(tc.DeniedBy), got.Reasons))
	}
	if got.Allowed == (len(got.Reasons) == 0) {
		out = append(out, fmt.Sprintf("allowed=%v with reasons %+v: an allow needs reasons, a deny has none", got.Allowed, got.Reasons))
	}
	if got.DecisionID == "" {
		out = append(out, "decision_id is empty")
	}
	if tc.Reasons != nil {
		if diff := gocmp.Diff(sortedReasons(*tc.Reasons), sortedReasons(got.Reasons)); diff != "" {
			out = append(out, "reasons (-want +got):\n"+diff)
		}
	}
	return out
}

// ruleExpiryDelay is how long after seeding the grants of expiringSoon
// expire: long enough for the server to start and see them live.
const ruleExpiryDelay = 3 * time.Second

// expiringSoon gives user tick a record and user tock a membership, both
// expiring at t.
func expiringSoon(t time.Time) *model.Snapshot {
	return &model.Snapshot{
		Records: []model.Record{{
			Meta: model.Meta{ID: "rec-expiring-soon"}, Name: "expires while the server runs", Status: model.StatusActive,
			ExpiresAt: &t, Users: []model.UserRef{{UserID: "tick"}},
			Statements: []model.Statement{{Roles: []string{"viewer"}, Resources: []model.ResourceRef{{ResourceURI: "docs/expiring"}}}},
		}},
		Memberships: []model.Membership{{
			Meta: model.Meta{ID: "m-expiring-soon"}, UserID: "tock", Context: "customers/expiring",
			Roles: []string{"viewer"}, ExpiresAt: &t,
		}},
	}
}

// testLiveExpiry checks that grants stop granting when they expire, with no
// change to the data: SPEC section 3 checks expiresAt against the decision
// time. The wait runs in parallel with the table.
func testLiveExpiry(t *testing.T, g *testkit.Gate, expires time.Time) {
	checks := []ruleInput{
		{User: "tick", Resource: "docs/expiring/x", Permission: "read"},
		{User: "tock", Resource: "customers/expiring/p", Permission: "read"},
	}
	if time.Until(expires) < 200*time.Millisecond {
		t.Skipf("the server took too long to start: the grants expire at %s, before they can be seen live", expires)
	}
	for _, in := range checks {
		got, err := g.Client().Authorize(t.Context(), in.engine())
		if err != nil {
			t.Fatal(err)
		}
		if !got.Allowed && time.Now().Before(expires) {
			t.Errorf("%+v before expiry: denied_by %s, want allowed", in, ruleString(got.DeniedBy))
		}
	}
	t.Parallel()
	time.Sleep(time.Until(expires) + 50*time.Millisecond)
	for _, in := range checks {
		got, err := g.Client().Authorize(t.Context(), in.engine())
		if err != nil {
			t.Fatal(err)
		}
		if got.Allowed || ruleString(got.DeniedBy) != "user" {
			t.Errorf("%+v after expiry: allowed=%v denied_by=%s, want denied by user", in, got.Allowed, ruleString(got.DeniedBy))
		}
	}
}

// TestRulesCaseFileCoversSpec checks that rules.yaml names only known rules
// and has an allowed and a denied case for each, and that each denied
// case names the side that fails.
func TestRulesCaseFileCoversSpec(t *testing.T) {
	f, _, _ := loadRulesFile(t)
	allowed, denied := map[string]int{}, map[string]int{}
	names := map[string]bool{}
	for _, tc := range f.Cases {
		if !slices.Contains(specRules, tc.Rule) {
			t.Errorf("case %q: unknown rule %q", tc.Name, tc.Rule)
		}
		if names[tc.Name] {
			t.Errorf("case %q appears twice", tc.Name)
		}
		names[tc.Name] = true
		if tc.Allowed {
			allowed[tc.Rule]++
			if tc.DeniedBy != nil {
				t.Errorf("case %q: allowed with denied_by %q", tc.Name, *tc.DeniedBy)
			}
		} else {
			denied[tc.Rule]++
			if tc.DeniedBy == nil {
				t.Errorf("case %q: denied without denied_by", tc.Name)
			}
		}
	}
	for _, r := range specRules {
		if allowed[r] == 0 || denied[r] == 0 {
			t.Errorf("rule %s: %d allowed and %d denied cases, want at least one of each", r, allowed[r], denied[r])
		}
	}
}

// loadRulesFile reads rules.yaml and decodes its data sets.
func loadRulesFile(t *testing.T) (*rulesFile, *model.Snapshot, *model.Snapshot) {
	t.Helper()
	raw, err := os.ReadFile(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s: %v", rulesPath, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var f rulesFile
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", rulesPath, err)
	}
	// JSON is YAML, so the sections go through the export file's decoder.
	data, err := mongostore.Decode(f.Data, true)
	if err != nil {
		t.Fatalf("%s: data: %v", rulesPath, err)
	}
	unvalidated := &model.Snapshot{}
	if len(f.Unvalidated) > 0 {
		if unvalidated, err = mongostore.Decode(f.Unvalidated, true); err != nil {
			t.Fatalf("%s: unvalidated: %v", rulesPath, err)
		}
	}
	return &f, data, unvalidated
}

// seedRulesStore starts an embedded store, imports data through the loader,
// writes raw straight into the collections, and returns the store's URI.
func seedRulesStore(t *testing.T, data, raw *model.Snapshot) string {
	t.Helper()
	store, uri := loadertest.Store(t)
	if err := store.Import(t.Context(), data); err != nil {
		t.Fatalf("import: %v", err)
	}
	client, err := mongo.Connect(t.Context(), options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	db := client.Database(mongostore.DefaultDatabase)
	for _, c := range model.Collections {
		for _, d := range raw.Docs(c) {
			if _, err := db.Collection(c).InsertOne(t.Context(), d); err != nil {
				t.Fatalf("insert %s/%s: %v", c, d.DocMeta().ID, err)
			}
		}
	}
	return uri
}

func sortedReasons(rs []engine.Reason) []engine.Reason {
	out := slices.Clone(rs)
	slices.SortFunc(out, func(a, b engine.Reason) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID),
			cmp.Compare(a.Role, b.Role), cmp.Compare(a.Resource, b.Resource))
	})
	return out
}

func ruleString(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}
