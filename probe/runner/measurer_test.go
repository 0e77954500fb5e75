package runner

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/targets"
)

// The Measurers here are test doubles of the runner's own tests: they
// exercise scheduling, resuming and writing, not the network.

// funcMeasurer measures with a function.
type funcMeasurer struct {
	name string
	fn   func(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error)
}

func (f *funcMeasurer) Name() string    { return f.name }
func (f *funcMeasurer) Version() string { return "0.1.0" }
func (f *funcMeasurer) Measure(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
	return f.fn(ctx, env, input)
}

// echoKeys are the keys of echo measurements.
type echoKeys struct {
	Input string `json:"input"`
	Body  string `json:"body"`
}

// echo returns a Measurer that records its input and says "not blocked",
// except for inputs in blocked (input → method).
func echo(name string, blocked map[string]string) *funcMeasurer {
	return &funcMeasurer{name: name, fn: func(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
		res := &nettest.Result{TestKeys: echoKeys{Input: input}, Blocking: measurement.NotBlocked}
		if m, ok := blocked[input]; ok {
			res.Blocking = measurement.BlockedBy(m)
			res.Failure = "connection_reset"
		}
		return res, nil
	}}
}

// gate is a Measurer that counts measurements in flight and holds each one
// until released.
type gate struct {
	name     string
	release  chan struct{}
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	started  chan string
	calls    atomic.Int32
}

func newGate(name string) *gate {
	return &gate{name: name, release: make(chan struct{}), started: make(chan string, 1000)}
}

func (g *gate) Name() string    { return g.name }
func (g *gate) Version() string { return "0.1.0" }
func (g *gate) Measure(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
	g.calls.Add(1)
	n := g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	for {
		m := g.maxSeen.Load()
		if n <= m || g.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	g.started <- input
	keys := map[string]any{"input": input}
	select {
	case <-g.release:
	case <-ctx.Done():
		keys["failure"] = "interrupted"
		return &nettest.Result{TestKeys: keys, Failure: "interrupted"}, nil
	}
	return &nettest.Result{TestKeys: keys, Blocking: measurement.NotBlocked}, nil
}

func urls(n int) []targets.Target {
	ts := make([]targets.Target, n)
	for i := range ts {
		ts[i] = targets.Target{Input: fmt.Sprintf("https://site%d.example/", i)}
	}
	return ts
}

var errCannot = errors.New("input is not a URL")
