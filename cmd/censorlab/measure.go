package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sonde-project/sonde/internal/lab/scenario"
	"github.com/sonde-project/sonde/internal/lab/sites"
	"github.com/sonde-project/sonde/testlists"
)

// labASN is the network the probe says it is on: from the range RFC 5398
// reserves for documentation, like the lab's addresses.
const labASN = "AS64496"

// categories are the Citizen Lab categories of the lab's sites, as the
// global test list files them (example.org is the control).
var categories = map[string]testlists.Category{
	"example.org":          {Code: "CTRL", Description: "Control content"},
	"twitter.com":          {Code: "GRP", Description: "Social Networking"},
	"www.facebook.com":     {Code: "GRP", Description: "Social Networking"},
	"telegram.org":         {Code: "GRP", Description: "Social Networking"},
	"www.bbc.com":          {Code: "NEWS", Description: "News Media"},
	"www.dw.com":           {Code: "NEWS", Description: "News Media"},
	"www.reddit.com":       {Code: "NEWS", Description: "News Media"},
	"news.ycombinator.com": {Code: "NEWS", Description: "News Media"},
	"signal.org":           {Code: "COMT", Description: "Communication Tools"},
	"www.wikipedia.org":    {Code: "CULTR", Description: "Culture"},
	"www.youtube.com":      {Code: "MMED", Description: "Media sharing"},
	"www.instagram.com":    {Code: "MMED", Description: "Media sharing"},
	"vimeo.com":            {Code: "MMED", Description: "Media sharing"},
	"www.torproject.org":   {Code: "ANON", Description: "Anonymization and circumvention tools"},
	"www.hrw.org":          {Code: "HUMR", Description: "Human Rights Issues"},
	"www.google.com":       {Code: "SRCH", Description: "Search Engines"},
}

// testGroup is one probe run: a test and the targets measured with it.
type testGroup struct {
	Test    string
	Targets []scenario.Target
}

// groupByTest splits a scenario's targets by test, in the order tests
// first appear: the probe runs every test it is given over every target,
// and each target names one test.
func groupByTest(s *scenario.Scenario) []testGroup {
	var groups []testGroup
	index := map[string]int{}
	for _, t := range s.Targets {
		i, ok := index[t.TestName()]
		if !ok {
			i = len(groups)
			index[t.TestName()] = i
			groups = append(groups, testGroup{Test: t.TestName()})
		}
		groups[i].Targets = append(groups[i].Targets, t)
	}
	return groups
}

// writeTestList writes targets as a Citizen Lab test list (CSV), each
// URL with its site's category.
func writeTestList(path string, targets []scenario.Target) error {
	var entries []testlists.Entry
	for _, t := range targets {
		e := testlists.Entry{URL: t.URL, DateAdded: "2026-01-01", Source: "sonde censorship lab"}
		if u, err := url.Parse(t.URL); err == nil {
			if site, ok := sites.Lookup(u.Hostname()); ok {
				c := categories[site.Domain]
				e.CategoryCode, e.CategoryDescription = c.Code, c.Description
			}
		}
		entries = append(entries, e)
	}
	var buf bytes.Buffer
	if err := testlists.Write(&buf, entries); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// probeOutput says where the probe's output goes.
type probeOutput struct {
	// Stdout receives the summary, Stderr the progress display and
	// errors, of the first probe.
	Stdout, Stderr io.Writer
	// Quiet turns the progress display off.
	Quiet bool
	// Before is called before each run, with the test and its targets.
	Before func(g testGroup)
}

// measure runs the real probe on the lab's probe host over the
// scenario's targets, one run per test, uploading to the collector, and
// returns how many measurements the runs wrote. With probes > 1, that
// many probes (each with its own directory and results file, like
// volunteers on the same network) measure at once; only the first shows
// its output.
func (s *stack) measure(ctx context.Context, sc *scenario.Scenario, probes int, out probeOutput) (int, error) {
	probes = max(probes, 1)
	for _, g := range groupByTest(sc) {
		list := filepath.Join(s.cfg.Dir, "targets-"+g.Test+".csv")
		if err := writeTestList(list, g.Targets); err != nil {
			return 0, err
		}
		if out.Before != nil {
			out.Before(g)
		}
		errs := make([]error, probes)
		outputs := make([]bytes.Buffer, probes)
		var wg sync.WaitGroup
		for i := range probes {
			stdout, stderr := io.Writer(&outputs[i]), io.Writer(&outputs[i])
			if i == 0 {
				stdout, stderr = out.Stdout, out.Stderr
			}
			wg.Add(1)
			go func() { // owned by measure, which waits for every run
				defer wg.Done()
				errs[i] = s.runProbe(ctx, i, g.Test, list, sc, stdout, stderr, out.Quiet || i > 0)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				return 0, fmt.Errorf("probe %d: run -t %s: %w\n%s", i+1, g.Test, err, outputs[i].String())
			}
		}
	}
	total := 0
	for i := range probes {
		n, err := countLines(s.resultsPath(i))
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

func (s *stack) resultsPath(probe int) string {
	if probe == 0 {
		return filepath.Join(s.cfg.Dir, "results.jsonl")
	}
	return filepath.Join(s.cfg.Dir, fmt.Sprintf("results-%d.jsonl", probe+1))
}

// runProbe runs one probe binary on the probe host over a test list.
func (s *stack) runProbe(ctx context.Context, probe int, test, list string, sc *scenario.Scenario, stdout, stderr io.Writer, quiet bool) error {
	args := []string{"run", "-t", test, "-f", list, "-o", s.resultsPath(probe), "--yes",
		"--collector", s.CollectorURL, "--ca-file", s.lab.CAPath,
		"--resolver", "udp://" + sites.Resolver.String() + ":53",
		"--step-timeout", "3s", "--parallel", "8",
		"--probe-cc", sc.Country, "--probe-asn", labASN, "--probe-network-name", "sonde censorship lab"}
	if quiet {
		args = append(args, "--quiet")
	}
	cmd := exec.Command(filepath.Join(s.cfg.Bin, "probe"), args...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("SONDE_PROBE_HOME=%s/probe-home-%d", s.cfg.Dir, probe+1))
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return s.lab.RunInProbe(ctx, cmd)
}

// countLines counts the measurements of a results file.
func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			n++
		}
	}
	return n, sc.Err()
}
