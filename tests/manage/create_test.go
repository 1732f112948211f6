package manage

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/engine/model"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

type createdDoc struct {
	ID       string `json:"_id"`
	RecordID string `json:"recordId"`
	Status   string `json:"status"`
	Version  int64  `json:"version"`
}

// createPost sends a POST and returns the status, Location header and body.
func createPost(t *testing.T, g *testkit.Gate, path string, body any) (int, string, []byte) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(g.Base+path, "application/json", strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header.Get("Location"), out
}

// TestAuthressRecordShape: the record Authress users create, with a
// predictable id as recordId, no status and no name, is created by POST,
// reads back with its id, and is updated and deleted by that id.
func TestAuthressRecordShape(t *testing.T) {
	snap := &model.Snapshot{
		Roles:      []model.Role{{Meta: model.Meta{ID: "ExtensionRole"}, Permissions: []model.Permission{{Action: "chats:read"}}}},
		Extensions: []model.Extension{{Meta: model.Meta{ID: "summarizer"}, Name: "Summarizer", Permissions: []string{"chats:read"}}},
	}
	g := testkit.Start(t, snap)
	const id = "rec_extensions:acme:summarizer"
	record := map[string]any{
		"recordId":   id,
		"users":      []map[string]string{{"userId": "u1"}},
		"statements": []map[string]any{{"roles": []string{"ExtensionRole"}, "resources": []map[string]string{{"resourceUri": "accounts/acme"}}}},
	}
	code, loc, raw := createPost(t, g, "/v1/records", record)
	if code != http.StatusCreated {
		t.Fatalf("POST: %d %s", code, raw)
	}
	var got createdDoc
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := createdDoc{ID: id, RecordID: id, Status: model.StatusActive, Version: 1}
	if got != want {
		t.Errorf("created %+v, want %+v", got, want)
	}
	if loc != "/v1/records/"+url.PathEscape(id) {
		t.Errorf("Location %q", loc)
	}
	var read createdDoc
	g.JSON(http.MethodGet, "/v1/records/"+id, nil, http.StatusOK, &read)
	if read != want {
		t.Errorf("GET %+v, want %+v", read, want)
	}
	var decision struct{ Allowed bool }
	g.JSON(http.MethodPost, "/v1/authorize", map[string]string{"user": "u1", "resource": "accounts/acme/chats/1", "permission": "chats:read"}, http.StatusOK, &decision)
	if !decision.Allowed {
		t.Error("the created record does not decide")
	}
	if code, _, raw := createPost(t, g, "/v1/records", record); code != http.StatusConflict {
		t.Errorf("POST of an existing id: %d %s", code, raw)
	}

	// Updated and deleted by that id, in the same shape.
	g.JSON(http.MethodPut, "/v1/records/"+id, record, http.StatusOK, &read)
	if read.Version != 2 || read.Status != model.StatusActive {
		t.Errorf("PUT: %+v", read)
	}
	if code, raw := g.Do(http.MethodDelete, "/v1/records/"+id, nil); code != http.StatusNoContent {
		t.Errorf("DELETE: %d %s", code, raw)
	}

	// No id: one is generated and returned.
	delete(record, "recordId")
	code, loc, raw = createPost(t, g, "/v1/records", record)
	if code != http.StatusCreated {
		t.Fatalf("POST without an id: %d %s", code, raw)
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if _, err := uuid.Parse(got.ID); err != nil || got.RecordID != got.ID || loc != "/v1/records/"+got.ID {
		t.Errorf("generated id %+v, Location %q", got, loc)
	}
	g.JSON(http.MethodGet, loc, nil, http.StatusOK, nil)

	// _id and recordId that differ; a PUT whose recordId is not the path's.
	record["_id"], record["recordId"] = "a", "b"
	code, _, raw = createPost(t, g, "/v1/records", record)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "recordId") {
		t.Errorf("POST with _id a and recordId b: %d %s", code, raw)
	}
	delete(record, "_id")
	code, raw = g.Do(http.MethodPut, "/v1/records/c", record)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "recordId") {
		t.Errorf("PUT /v1/records/c with recordId b: %d %s", code, raw)
	}
}

// TestInstallationStatusDefaults: an installation written without status
// is ACTIVE, by PUT and by POST.
func TestInstallationStatusDefaults(t *testing.T) {
	g := testkit.Start(t, testkit.DemoSnapshot(t))
	var ext struct {
		Extensions []struct {
			ID string `json:"_id"`
		}
	}
	g.JSON(http.MethodGet, "/v1/extensions", nil, http.StatusOK, &ext)
	if len(ext.Extensions) == 0 {
		t.Fatal("the demo data has no extension")
	}
	in := map[string]any{"extensionId": ext.Extensions[0].ID, "context": "accounts/acme", "consentedPermissions": []string{}, "installedBy": "alice"}
	var got createdDoc
	g.JSON(http.MethodPut, "/v1/installations/i-default", in, http.StatusCreated, &got)
	if got.Status != model.StatusActive {
		t.Errorf("PUT: status %q", got.Status)
	}
	code, _, raw := createPost(t, g, "/v1/installations", in)
	if err := json.Unmarshal(raw, &got); err != nil || code != http.StatusCreated || got.Status != model.StatusActive {
		t.Errorf("POST: %d %s", code, raw)
	}
	if got.RecordID != "" {
		t.Errorf("an installation reads back with a recordId: %s", raw)
	}
}
