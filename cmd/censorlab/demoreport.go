package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/sonde-project/sonde/analysis/report"
	"github.com/sonde-project/sonde/internal/lab/scenario"
)

// writeDemoReport writes the country report of the demo's measurements
// with the real `analysis report` (HTML, JSON and CSV in cfg.Out), prints
// its summary and returns the HTML file's absolute path.
func writeDemoReport(ctx context.Context, cfg demoConfig, sc *scenario.Scenario, chAddr, work string) (string, error) {
	out := cfg.Stdout
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return "", fmt.Errorf("report directory: %w", err)
	}
	list := filepath.Join(work, "all-targets.csv")
	if err := writeTestList(list, sc.Targets); err != nil {
		return "", err
	}
	now := time.Now().UTC()
	since := now.Truncate(24 * time.Hour)
	until := since.AddDate(0, 0, 1)
	html, err := filepath.Abs(filepath.Join(cfg.Out,
		fmt.Sprintf("report-%s-%s.html", sc.Name, now.Format("20060102-150405"))))
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(cfg.Bin, "analysis"), "report",
		"--country", sc.Country, "--since", since.Format(time.DateOnly), "--until", until.Format(time.DateOnly),
		"--clickhouse", chAddr, "--database", demoDatabase, "--categories", list, "-o", html)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("analysis report: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	rep, err := readReport(strings.TrimSuffix(html, ".html") + ".json")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(out, "ok (%s)\n", filepath.Base(html))
	printReportSummary(out, rep)
	return html, nil
}

func readReport(path string) (*report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rep report.Report
	if err := json.NewDecoder(io.LimitReader(f, 64<<20)).Decode(&rep); err != nil {
		return nil, fmt.Errorf("the report's JSON (%s): %w", path, err)
	}
	return &rep, nil
}

// printReportSummary prints what a policy reader sees first: the
// headline, the blocked sites by category, and the methods.
func printReportSummary(w io.Writer, rep *report.Report) {
	fmt.Fprintf(w, "\n%s\n%s\n\n%s\n", rep.Title, strings.Repeat("=", len([]rune(rep.Title))), rep.Headline.Sentence)
	for _, g := range rep.Groups {
		fmt.Fprintf(w, "\n%s\n", g.Name)
		for _, f := range g.Findings {
			fmt.Fprintf(w, "  - %s\n", f.Sentence)
		}
	}
	if len(rep.Methods) > 0 {
		fmt.Fprintf(w, "\nHow sites were blocked:\n")
		for _, m := range rep.Methods {
			fmt.Fprintf(w, "  %-14s %d  %s\n", m.Method, m.Pairs, m.Words)
		}
	}
	t := rep.Totals
	fmt.Fprintf(w, "\nMeasurements: %d (confirmed %d, likely %d, not blocked %d, failed %d).\n",
		t.Total(), t.Confirmed, t.Anomaly, t.OK, t.Failure)
}
