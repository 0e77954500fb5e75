// Command analysis turns OONI-format measurements into verdicts: blocked
// or not, how, with what confidence and on what evidence.
//
//	analysis verdict [--fingerprints DIR] [FILE.jsonl|FILE.json]...
//	analysis report (--country CC | --domain DOMAIN) [--since DAY] [--until DAY] [-o FILE.html]
//	analysis reprocess [--config collector.yml] [--all] [--since DAY] [--until DAY] [--country CC] [--test NAME] [--dry-run]
//
// Each subcommand lives in its own file and is listed in the commands
// table below; `analysis help` prints them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"

	"github.com/sonde-project/sonde/internal/version"
)

// command is one subcommand. run gets the arguments after the
// subcommand's name and returns the exit status.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands lists the subcommands: one table, written out here.
var commands = map[string]command{
	"verdict":   {summary: "print a verdict for each measurement (JSON Lines)", run: runVerdict},
	"report":    {summary: "write a country or domain report (HTML, JSON, CSV) from ClickHouse", run: runReport},
	"reprocess": {summary: "recompute the verdicts stored in ClickHouse with the current rules", run: runReprocess},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		usage(stdout)
		return 0
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "%s analysis %s\n", version.Name, version.Version)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "analysis: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd.run(ctx, args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `analysis reads OONI-format measurements (from sonde's probe or OONI's) and
says, for each one, whether the target was blocked, how, and how sure it is.

Usage:
  analysis COMMAND [options] [arguments]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, `  version    print the version

Run "analysis COMMAND --help" for a command's options.
`)
}

// parseFlags parses a subcommand's flags. It prints the help on standard
// output for --help and returns false with the exit status when the
// command must stop there (0 after the help, 2 after a mistake, which the
// flag package has printed on standard error).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (ok bool, code int) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return false, 0
	case err != nil:
		return false, 2
	}
	return true, 0
}
