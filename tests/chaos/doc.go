// Package chaos is gatehouse's crash test. It builds the gatehouse binary,
// runs a shared embedded store (`gatehouse store`) and two servers
// (`gatehouse serve --mongo-uri`) as separate OS processes on loopback
// ports, keeps writes in flight while a server and then the store are
// killed with SIGKILL and restarted, and then checks that every write that
// got a 2xx is present with its content on both servers (GET
// /v1/{collection}/{id} and decisions) and in `gatehouse export`. It
// reports how many writes were acknowledged and how many were lost, which
// must be none.
//
// It owns that test and nothing else. It is black-box: it talks to
// gatehouse only through HTTP and the command line and must not import
// gatehouse's own packages (api, engine, loader, bundles, cmd/...), so what
// it checks is what a client and an operator see.
//
// `go test ./tests/chaos/` runs one short round (one server kill, one
// store kill); `make chaos ROUNDS=n` runs n rounds with -chaos.rounds.
package chaos
