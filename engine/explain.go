package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/engine/index"
)

// The explanation's types live with the native decision (engine/index).
type (
	// Explanation is why a decision answers as it does.
	Explanation = index.Explanation
	// ExplainPath is one chain to an allow.
	ExplainPath = index.ExplainPath
	// NearMiss is a chain that fails one check.
	NearMiss = index.NearMiss
	// ExtensionSide is the installation's side of a decision.
	ExtensionSide = index.ExtensionSide
	// SideResource is a scope resource and whether it covers the request's.
	SideResource = index.SideResource
	// SidePermission is a permission pattern and whether it implies the request's.
	SidePermission = index.SidePermission
	// Coverage says which sides of the intersection cover the request.
	Coverage = index.Coverage
)

// explainAttempts bounds how often Explain decides again when the data
// changed between reading the generation and deciding.
const explainAttempts = 3

// Explain answers in exactly as Decide does (cached, logged and with
// hook rules alike) and explains that answer over the view of the
// generation that gave it. Errors are Decide's; ErrNotReady wrapped when
// the data changed under every attempt. The explanation reads the view
// at its own clock, a moment after the decision's.
func (e *Engine) Explain(ctx context.Context, in Input) (Decision, Explanation, error) {
	for range explainAttempts {
		g, err := e.current()
		if err != nil {
			return Decision{}, Explanation{}, err
		}
		d, err := e.Decide(ctx, in)
		if err != nil {
			return Decision{}, Explanation{}, err
		}
		if d.Revision == g.view.Rev() {
			return d, withHooks(d, in, g.view.Explain(in, time.Now().UnixNano())), nil
		}
	}
	return Decision{}, Explanation{}, fmt.Errorf("engine: the data changed under %d attempts to explain: %w", explainAttempts, ErrNotReady)
}

// withHooks reconciles the view's explanation with a decision hook rules
// made: an allow hook's reason is a path, and the chains a deny hook
// overruled become near misses.
func withHooks(d Decision, in Input, x Explanation) Explanation {
	for _, r := range d.Reasons {
		if r.Kind == "policy" {
			x.Paths = append(x.Paths, ExplainPath{Principal: "user", User: in.User, Kind: r.Kind, ID: r.ID, Resource: r.Resource})
		}
	}
	if d.Allowed || len(x.Paths) == 0 {
		return x
	}
	misses := []NearMiss{}
	for _, p := range x.Paths[:min(len(x.Paths), index.MaxNearMisses)] {
		misses = append(misses, NearMiss{Reason: index.MissPolicy, Message: "this chain allows, but the decision is denied by " + deniedBy(d), ExplainPath: p})
	}
	x.Paths, x.NearMisses = []ExplainPath{}, misses
	return x
}

func deniedBy(d Decision) string {
	if d.DeniedBy == nil {
		return "nothing"
	}
	return *d.DeniedBy
}
