package store

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/gatehouse/gatehouse/cmd/gatehouse/server"
	"github.com/gatehouse/gatehouse/loader/mongostore"
	"github.com/gatehouse/gatehouse/tests/testkit"
)

func TestMetricsAndMongoDecisionLog(t *testing.T) {
	_, uri := testkit.StoreWithDemo(t)
	g := testkit.StartOn(t, uri, func(c *server.Config) { c.DecisionLog = "mongo" })
	var d struct {
		DecisionID string `json:"decision_id"`
	}
	g.JSON(http.MethodPost, "/v1/authorize", map[string]string{"user": "alice", "resource": "accounts/acme", "permission": "chats:read"}, http.StatusOK, &d)
	g.JSON(http.MethodPost, "/v1/authorize", map[string]string{"user": "bob", "resource": "accounts/acme", "permission": "chats:read"}, http.StatusOK, nil)

	code, body := g.Do(http.MethodGet, "/metrics", nil)
	text := string(body)
	for _, want := range []string{
		`gatehouse_decisions_total{denied_by="",result="allow"} 1`,
		`gatehouse_decisions_total{denied_by="user",result="deny"} 1`,
		"gatehouse_decision_duration_seconds_count 2",
		`gatehouse_http_request_duration_seconds_count{code="200",method="POST",route="/v1/authorize"} 2`,
		"gatehouse_revision 1",
		"gatehouse_loader_lag_seconds",
	} {
		if code != http.StatusOK || !strings.Contains(text, want) {
			t.Errorf("/metrics (%d) lacks %q", code, want)
		}
	}

	client, err := mongo.Connect(context.Background(), options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	decisions := client.Database(mongostore.DefaultDatabase).Collection(mongostore.DecisionsCollection)
	testkit.Until(t, 5*time.Second, "decision logged to MongoDB", func() bool {
		n, err := decisions.CountDocuments(context.Background(), bson.M{"_id": d.DecisionID})
		return err == nil && n == 1
	})
}
