package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/sonde-project/sonde/testlists"
)

const lintHelp = `Usage: testlists lint [--resolve] [--timeout 5s] [--concurrency 16] [--fail-on-warnings] DIR

Prints what validate prints, plus warnings about lists that work but could
be better:
  - rows that make the same request although written differently (upper
    case, a trailing dot, a default port, or only the part after #);
    http:// and https://, www. and the bare domain, are not duplicates;
  - host names with upper-case letters;
  - list names that are not in the country legend, or not countries;
  - with --resolve: domains that do not exist any more (NXDOMAIN).
    This queries your resolver for every host name of the lists: run it
    from an uncensored network, a censor's resolver lies. Lookups that
    time out are counted, not blamed.

Exits 1 on errors (or on warnings with --fail-on-warnings).

Options:
`

func lint(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	resolve := fs.Bool("resolve", false, "look every domain up to find dead ones (needs a network)")
	timeout := fs.Duration("timeout", 5*time.Second, "time limit of each lookup with --resolve")
	concurrency := fs.Int("concurrency", 16, "lookups in flight at once with --resolve")
	failWarn := fs.Bool("fail-on-warnings", false, "exit 1 on warnings too")
	fs.Usage = func() { fmt.Fprint(fs.Output(), lintHelp); fs.PrintDefaults() }
	dirs, code := parseArgs(fs, args)
	if code >= 0 {
		return code
	}
	if len(dirs) != 1 {
		fmt.Fprintln(stderr, "testlists lint: give one folder of lists")
		return 2
	}
	if *concurrency < 1 || *timeout <= 0 {
		fmt.Fprintln(stderr, "testlists lint: --concurrency and --timeout must be positive")
		return 2
	}
	set, ps := testlists.LoadDir(dirs[0])
	ps = append(ps, testlists.Lint(set)...)
	if *resolve {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		fmt.Fprintln(stderr, "testlists: looking the domains up (Ctrl-C stops)…")
		ps = append(ps, testlists.CheckDomains(ctx, set, testlists.DomainCheck{
			Resolver: net.DefaultResolver, Timeout: *timeout, Concurrency: *concurrency})...)
	}
	var errs, warns int
	for _, p := range ps {
		if p.Severity == testlists.Error {
			errs++
		} else {
			warns++
		}
		fmt.Fprintln(stdout, p.Error())
	}
	fmt.Fprintf(stderr, "testlists: %s, %s\n", plural(errs, "error"), plural(warns, "warning"))
	if errs > 0 || *failWarn && warns > 0 {
		return 1
	}
	return 0
}
