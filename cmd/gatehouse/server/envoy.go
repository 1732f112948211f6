package server

import (
	"context"
	"net"

	"google.golang.org/grpc"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/api/envoy"
)

// DefaultEnvoyAddr is where the Envoy ext_authz gRPC server listens:
// nowhere, so it is off unless an address is given.
const DefaultEnvoyAddr = ""

// serveEnvoy serves Envoy's ext_authz (api/envoy) on cfg.EnvoyAddr until
// Close, which stops it gracefully; nothing when the address is empty.
// With API keys configured a call needs a decide key as its bearer
// token (gRPC metadata authorization, set in Envoy's grpc_service
// initial_metadata).
func (s *Server) serveEnvoy(cfg Config) error {
	if cfg.EnvoyAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.EnvoyAddr)
	if err != nil {
		return err
	}
	var admit func(string) error
	if len(cfg.Keys) > 0 {
		admit = api.ScopeCheck(cfg.Keys, api.ScopeDecide)
	}
	g := grpc.NewServer()
	envoy.New(s.Engine, admit, s.log).Register(g)
	s.EnvoyAddr = ln.Addr().String()
	go func() {
		if err := g.Serve(ln); err != nil {
			s.log.Error("envoy ext_authz server stopped", "error", err)
		}
	}()
	s.log.Info("envoy ext_authz listening", "addr", s.EnvoyAddr)
	s.closers.pushFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		done := make(chan struct{})
		go func() { g.GracefulStop(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			g.Stop()
		}
	})
	return nil
}
