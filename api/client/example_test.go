package client_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/engine"
	"github.com/gatehouse/gatehouse/engine/model"
)

func Example() {
	srv := startServer(exampleSnapshot())
	defer srv.Close()
	ctx := context.Background()

	gh, err := client.New(srv.URL, client.WithAPIKey(exampleKey))
	if err != nil {
		panic(err)
	}
	d, err := gh.Authorize(ctx, engine.Input{User: "alice", Resource: "accounts/acme/chats/1", Permission: "read:chats"})
	if err != nil {
		panic(err)
	}
	fmt.Println("alice reads:", d.Allowed, d.Reasons[0].ID)

	d, _ = gh.Authorize(ctx, engine.Input{User: "bob", Installation: "summarizer-acme", Resource: "accounts/acme/chats/1", Permission: "chats:write"})
	fmt.Println("bob writes through the summarizer:", d.Allowed, *d.DeniedBy)
	// Output:
	// alice reads: true alice-reads
	// bob writes through the summarizer: false consent
}

func ExampleClient_AuthorizeBatch() {
	srv := startServer(exampleSnapshot())
	defer srv.Close()
	gh, _ := client.New(srv.URL, client.WithAPIKey(exampleKey))

	ds, err := gh.AuthorizeBatch(context.Background(), []engine.Input{
		{User: "bob", Resource: "accounts/acme/chats/1", Permission: "chats:write"},
		{User: "bob", Resource: "accounts/acme", Permission: "read"},
	})
	if err != nil {
		panic(err)
	}
	for _, d := range ds {
		fmt.Println(d.Allowed)
	}
	// Output:
	// true
	// false
}

func ExampleError() {
	srv := startServer(exampleSnapshot())
	defer srv.Close()
	gh, _ := client.New(srv.URL, client.WithAPIKey(exampleKey))

	_, err := gh.Authorize(context.Background(), engine.Input{Resource: "accounts/acme", Permission: ""})
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Code)
		for _, p := range e.Problems {
			fmt.Println(p.Field+":", p.Message)
		}
	}
	// Output:
	// 422 invalid_input
	// user: user, installation, or app and tenant is required
	// permission: is required
}

func ExampleClient_AllResources() {
	srv := startServer(exampleSnapshot())
	defer srv.Close()
	gh, _ := client.New(srv.URL, client.WithAPIKey(exampleKey))

	// One resource a page, to show the iterator following the cursor.
	for uri, err := range gh.AllResources(context.Background(), client.ResourcesQuery{User: "bob", Permission: "chats:read"}, 1) {
		if err != nil {
			panic(err)
		}
		fmt.Println(uri)
	}
	perms, _ := gh.Permissions(context.Background(), "bob", "accounts/acme/chats/1")
	fmt.Printf("%+v\n", perms)
	// Output:
	// accounts/acme/chats
	// [{Action:chats:* Allow:true Grant:true Delegate:false}]
}

func ExampleCollection_Put() {
	srv := startServer(exampleSnapshot())
	defer srv.Close()
	ctx := context.Background()
	gh, _ := client.New(srv.URL, client.WithAPIKey(exampleKey))
	groups := gh.Groups()

	g, err := groups.Get(ctx, "editors")
	if err != nil {
		panic(err)
	}
	g.Users = append(g.Users, model.UserRef{UserID: "carol"})
	w, err := groups.Put(ctx, "editors", g, client.IfMatch(g.Version))
	if err != nil {
		panic(err)
	}
	fmt.Println("stored version", w.Doc.Version, "etag", w.ETag)

	// The same write again, over the version it replaced, is a conflict.
	_, err = groups.Put(ctx, "editors", g, client.IfMatch(g.Version))
	fmt.Println("conflict:", client.IsConflict(err))

	d, _ := gh.Authorize(ctx, engine.Input{User: "carol", Resource: "accounts/acme/chats/9", Permission: "chats:write"})
	fmt.Println("carol writes:", d.Allowed)

	_, err = groups.Get(ctx, "nobody")
	fmt.Println("not found:", client.IsNotFound(err))
	// Output:
	// stored version 2 etag "2"
	// conflict: true
	// carol writes: true
	// not found: true
}

func ExampleCollection_Create() {
	srv := startServer(exampleSnapshot())
	defer srv.Close()
	ctx := context.Background()
	gh, _ := client.New(srv.URL, client.WithAPIKey(exampleKey))

	rec := model.Record{Meta: model.Meta{ID: "dan-reads"}, Users: []model.UserRef{{UserID: "dan"}},
		Statements: []model.Statement{{Roles: []string{"reader"}, Resources: []model.ResourceRef{{ResourceURI: "accounts/globex"}}}}}
	w, err := gh.Records().Create(ctx, rec)
	if err != nil {
		panic(err)
	}
	fmt.Println(w.Created, w.Location, w.Doc.Status)
	_, err = gh.Records().Create(ctx, rec)
	fmt.Println("taken:", client.IsConflict(err))

	// Removing a role records still name needs Force.
	_, err = gh.Roles().Delete(ctx, "reader")
	fmt.Println("referenced:", client.IsConflict(err))
	_, err = gh.Roles().Delete(ctx, "reader", client.Force())
	fmt.Println("forced:", err)
	// Output:
	// true /v1/records/dan-reads ACTIVE
	// taken: true
	// referenced: true
	// forced: <nil>
}
