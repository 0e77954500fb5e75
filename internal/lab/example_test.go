package lab_test

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"

	"github.com/sonde-project/sonde/internal/lab"
	"github.com/sonde-project/sonde/internal/lab/scenario"
)

// An end-to-end harness starts a lab for a scenario, runs the probe in
// the probe's namespace, and compares the verdicts with the scenario's
// expectations. (The test binary's TestMain must call lab.Child first.)
func ExampleStart() {
	ctx := context.Background()
	s, err := scenario.LoadShipped("china")
	if err != nil {
		panic(err)
	}
	l, err := lab.Start(ctx, lab.Config{Scenario: s})
	if err != nil {
		panic(err)
	}
	defer l.Close()

	var out bytes.Buffer
	probe := exec.Command("bin/probe", "run", "-t", "web_connectivity", "-i", s.Targets[0].URL, "-o", "/dev/stdout", "--no-upload")
	probe.Stdout = &out
	if err := l.RunInProbe(ctx, probe); err != nil {
		panic(err)
	}
	for _, t := range s.Targets {
		fmt.Println(t.URL, "expect", t.Expect.Blocking, t.Expect.Confidence)
	}
}
