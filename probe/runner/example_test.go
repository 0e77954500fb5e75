package runner_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/scrub"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/runner"
	"github.com/sonde-project/sonde/probe/targets"
)

// hello is a stand-in for a real test from the catalog.
type hello struct{}

func (hello) Name() string    { return "hello" }
func (hello) Version() string { return "0.1.0" }
func (hello) Measure(_ context.Context, _ *nettest.Env, input string) (*nettest.Result, error) {
	return &nettest.Result{TestKeys: map[string]string{"said": "hello " + input}, Blocking: measurement.NotBlocked}, nil
}

func ExampleRun() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	s, err := runner.Run(context.Background(), runner.Config{
		Tests:    []nettest.Measurer{hello{}},
		Targets:  []targets.Target{{Input: "https://example.org/"}, {Input: "https://example.com/"}},
		Output:   filepath.Join(dir, "results.jsonl"),
		Parallel: 2,
		Envelope: runner.Envelope{ProbeCC: "IT", ProbeASN: "AS30722"},
		Scrubber: scrub.New(netip.MustParseAddr("203.0.113.5")),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Written, "written,", len(s.Blocked), "blocked")
	// Output: 2 written, 0 blocked
}
