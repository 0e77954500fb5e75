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
	// errors.
	Stdout, Stderr io.Writer
	// Quiet turns the progress display off.
	Quiet bool
	// Before is called before each run, with the test and its targets.
	Before func(g testGroup)
}

// measure runs the real probe on the lab's probe host over the
// scenario's targets, one run per test, uploading to the collector, and
// returns the results file and how many measurements it holds.
func (s *stack) measure(ctx context.Context, sc *scenario.Scenario, out probeOutput) (string, int, error) {
	results := filepath.Join(s.cfg.Dir, "results.jsonl")
	home := filepath.Join(s.cfg.Dir, "probe-home")
	for _, g := range groupByTest(sc) {
		list := filepath.Join(s.cfg.Dir, "targets-"+g.Test+".csv")
		if err := writeTestList(list, g.Targets); err != nil {
			return "", 0, err
		}
		if out.Before != nil {
			out.Before(g)
		}
		args := []string{"run", "-t", g.Test, "-f", list, "-o", results, "--yes",
			"--collector", s.CollectorURL, "--ca-file", s.lab.CAPath,
			"--resolver", "udp://" + sites.Resolver.String() + ":53",
			"--step-timeout", "3s", "--parallel", "8",
			"--probe-cc", sc.Country, "--probe-asn", labASN, "--probe-network-name", "sonde censorship lab"}
		if out.Quiet {
			args = append(args, "--quiet")
		}
		cmd := exec.Command(filepath.Join(s.cfg.Bin, "probe"), args...)
		cmd.Env = append(os.Environ(), "SONDE_PROBE_HOME="+home)
		cmd.Stdout, cmd.Stderr = out.Stdout, out.Stderr
		if err := s.lab.RunInProbe(ctx, cmd); err != nil {
			return "", 0, fmt.Errorf("probe run -t %s: %w", g.Test, err)
		}
	}
	n, err := countLines(results)
	return results, n, err
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
