package lab_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
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

// The collector runs on the lab's Internet host and must reach ClickHouse,
// which runs on this host's loopback: Forward listens inside the lab and
// relays there, and the collector's configuration names the lab side.
func ExampleLab_Forward() {
	ctx := context.Background()
	s, err := scenario.LoadShipped("mixed")
	if err != nil {
		panic(err)
	}
	l, err := lab.Start(ctx, lab.Config{Scenario: s})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	inLab, err := l.Forward(lab.Internet, "127.0.0.1:9000", "127.0.0.1:39000") // ClickHouse's native port here
	if err != nil {
		panic(err)
	}
	collector := exec.Command("bin/collector", "-config", "collector.yml") // clickhouse: {addr: 127.0.0.1:9000}
	running, err := l.StartInInternet(ctx, collector)
	if err != nil {
		panic(err)
	}
	defer running.Process.Signal(os.Interrupt)
	fmt.Println("ClickHouse, for the collector:", inLab)
}
