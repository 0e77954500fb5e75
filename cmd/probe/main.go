// Command probe measures whether websites and apps are blocked on the
// volunteer's network and writes OONI measurements, one per line, to a
// local file; unless told not to, it uploads them to a collector.
//
//	probe run -t web_connectivity -i https://example.org/ -o results.jsonl --no-upload
//
// Run "probe --help" for the commands and "probe COMMAND --help" for
// their options.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/sonde-project/sonde/probe/catalog"
	"github.com/sonde-project/sonde/probe/upload"
)

func main() {
	a := &app{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		tests:        catalog.Tests,
		interactive:  term.IsTerminal(int(os.Stdin.Fd())),
		terminal:     term.IsTerminal(int(os.Stderr.Fd())),
		now:          time.Now,
		notifySignal: notifySignal,
	}
	os.Exit(a.main(context.Background(), os.Args[1:]))
}

// app is the command with its surroundings, so that tests can run it in
// the same process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// tests is the catalog of tests.
	tests map[string]catalog.Entry
	// interactive: stdin is a terminal (consent can be asked);
	// terminal: stderr is one (live progress).
	interactive, terminal bool
	now                   func() time.Time
	// notifySignal delivers Ctrl-C (and SIGTERM) until stop is called.
	notifySignal func() (c <-chan os.Signal, stop func())
	// backoff spaces upload retries (the zero value: upload's defaults).
	backoff upload.Backoff
}

// Exit statuses.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitInterrupted = 130
)

const mainHelp = `probe measures whether websites and apps are blocked on your network.

Usage:
  probe run -t TEST [-i URL]... [-f LIST] -o RESULTS.jsonl [--no-upload] [options]
                 measure, write results to RESULTS.jsonl, upload them
  probe list     the tests, what each one measures and its options
  probe upload [RESULTS.jsonl]...
                 send the measurements waiting in the upload queue
                 (and queue those of RESULTS.jsonl first)
  probe consent  read what the probe does, what is published and the
                 risks, and agree
  probe version  this probe's version

Examples:
  probe run -t web_connectivity -i https://example.org/ -o results.jsonl --no-upload
  probe run -t web_connectivity -f my-list.csv -o results.jsonl --collector https://collector.example.org

Results are OONI measurements, one JSON object per line (read them with
"jq . results.jsonl"). Your IP address is removed from every measurement
before it is written. Run "probe COMMAND --help" for a command's options.
`

func (a *app) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, mainHelp)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(a.stdout, mainHelp)
		return exitOK
	case "run":
		return a.run(ctx, rest)
	case "list":
		err = a.list(rest)
	case "upload":
		err = a.upload(ctx, rest)
	case "consent":
		err = a.consent(rest)
	case "version", "-version", "--version":
		err = a.version(rest)
	default:
		fmt.Fprintf(a.stderr, "probe: unknown command %q\n\n%s", cmd, mainHelp)
		return exitUsage
	}
	return a.exit(err)
}

// exit prints err and returns the exit status for it.
func (a *app) exit(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	}
	fmt.Fprintf(a.stderr, "probe: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

// errHelp is returned after printing help on request.
var errHelp = errors.New("help")

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}
