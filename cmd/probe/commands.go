package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/version"
	"github.com/sonde-project/sonde/probe/consent"
	"github.com/sonde-project/sonde/probe/runner"
	"github.com/sonde-project/sonde/probe/upload"
)

const listHelp = `Usage: probe list

Lists the tests this probe can run, what each one takes as a target
(-i or -f) and what it checks.
`

func (a *app) list(args []string) error {
	if err := a.parseFlags(flag.NewFlagSet("list", flag.ContinueOnError), listHelp, args); err != nil {
		return err
	}
	names := testNames(a.tests)
	if len(names) == 0 {
		fmt.Fprintln(a.stdout, "This probe was built without any test.")
		return nil
	}
	for _, n := range names {
		e := a.tests[n]
		fmt.Fprintf(a.stdout, "%-18s %s\n%-18s takes: %s\n", n, e.Summary, "", e.Input)
	}
	fmt.Fprintln(a.stdout, "\nRun one with: probe run -t NAME -i TARGET -o results.jsonl --no-upload")
	return nil
}

const versionHelp = `Usage: probe version

Prints this probe's version, for bug reports.
`

func (a *app) version(args []string) error {
	if err := a.parseFlags(flag.NewFlagSet("version", flag.ContinueOnError), versionHelp, args); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s probe %s (%s, %s/%s)\n", version.Name, version.String(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

const consentHelp = `Usage: probe consent [--yes] [--config-dir DIR]

Shows what the probe does, what it publishes and the risks of running it,
and asks whether you agree (in a terminal), or records that you agree
(--yes). The probe asks this once, before its first run.
`

func (a *app) consent(args []string) error {
	fs := flag.NewFlagSet("consent", flag.ContinueOnError)
	yes := fs.Bool("yes", false, "")
	configDir := fs.String("config-dir", "", "")
	if err := a.parseFlags(fs, consentHelp, args); err != nil {
		return err
	}
	dir, _, err := loadConfig(*configDir)
	if err != nil {
		return err
	}
	if !*yes && !a.interactive {
		fmt.Fprintln(a.stdout, consent.Text)
		fmt.Fprintln(a.stdout, "\nTo agree, run \"probe consent --yes\" (or pass --yes to \"probe run\").")
		return nil
	}
	if *yes {
		fmt.Fprintln(a.stdout, consent.Text)
	}
	if err := consent.Ensure(dir, *yes, a.interactive, a.stdin, a.stdout); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "Thank you: your consent is recorded.")
	return nil
}

const uploadHelp = `Usage: probe upload [RESULTS.jsonl]... [--collector URL] [--proxy URL] [options]

Sends the measurements waiting in the upload queue (those a run could not
send, because the collector or the network was down) to the collector.
With RESULTS.jsonl files, queues their measurements first: a run made with
--no-upload can be uploaded later this way. Measurements the collector
already has are not sent again.

  --collector URL   the collector (default: from the config)
  --proxy URL       send through a proxy: socks5://HOST:PORT or http://HOST:PORT
  --ca-file FILE    also trust the certificate authorities in this PEM file
  --config-dir DIR  the probe's directory
  --yes             you have read "probe consent" and agree
`

func (a *app) upload(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	var o runOptions
	fs.StringVar(&o.collector, "collector", "", "")
	fs.StringVar(&o.proxy, "proxy", "", "")
	fs.StringVar(&o.caFile, "ca-file", "", "")
	fs.StringVar(&o.configDir, "config-dir", "", "")
	fs.BoolVar(&o.yes, "yes", false, "")
	if err := a.parseFlags(fs, uploadHelp, args); err != nil {
		return err
	}
	dir, cf, err := loadConfig(o.configDir)
	if err != nil {
		return err
	}
	if err := consent.Ensure(dir, o.yes, a.interactive, a.stdin, a.stderr); err != nil {
		return err
	}
	roots, err := loadRoots(o.caFile)
	if err != nil {
		return err
	}
	q, err := upload.Open(filepath.Join(dir, "queue"))
	if err != nil {
		return err
	}
	defer q.Close()
	for _, f := range fs.Args() {
		if err := queueFile(q, f, a); err != nil {
			return err
		}
	}
	if q.Len() == 0 {
		fmt.Fprintln(a.stdout, "Nothing to upload.")
		return nil
	}
	c, err := a.connect(ctx, o.collector, o.proxy, cf, dir, roots)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "Uploading %d measurements to %s...\n", q.Len(), c.BaseURL)
	u := &upload.Uploader{Queue: q, Collector: c, Patience: uploadPatienceCommand, Backoff: a.backoff}
	st, err := u.Drain(ctx)
	a.printUploads(st, nil)
	return err
}

// queueFile adds a results file's measurements to the queue.
func queueFile(q *upload.Queue, path string, a *app) error {
	added, bad := 0, 0
	err := runner.ForEachLine(path, func(line []byte) error {
		if len(line) > probeapi.MaxMeasurementSz {
			bad++
			return nil
		}
		if _, err := measurement.Parse(line); err != nil {
			bad++
			return nil
		}
		ok, err := q.Add(line)
		if ok {
			added++
		}
		return err
	})
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s: queued %d measurements", path, added)
	if bad > 0 {
		msg += fmt.Sprintf(" (%d lines are not measurements or are too large, left out)", bad)
	}
	fmt.Fprintln(a.stderr, strings.TrimSpace(msg))
	return nil
}
