// Command censorlab runs the sonde censorship lab: network namespaces with
// a probe host, a censor router driven by a scenario file, and an
// "Internet" host serving real-looking sites, DNS and HTTP/3; `censorlab
// demo` runs the whole of sonde in it (ClickHouse, the collector, the
// probe, the analysis and its report). See `censorlab help`.
//
// The same orchestration (stack.go, measure.go, verdicts.go) runs the
// end-to-end tests, which put every shipped scenario through the real
// binaries and compare the stored verdicts with its expectations.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/sonde-project/sonde/internal/lab"
	"github.com/sonde-project/sonde/internal/lab/check"
	"github.com/sonde-project/sonde/internal/lab/scenario"
	"github.com/sonde-project/sonde/internal/lab/sites"
)

const usage = `censorlab: a censorship lab on one machine, for testing sonde.

It builds Linux network namespaces (a probe host, a censor router, an
"Internet" host), runs real web sites (HTTP, HTTPS with a lab CA, HTTP/3),
DNS servers, and a censor that follows a scenario file: DNS injection,
resolver hijack, TLS/HTTP resets, blockpages, IP black-holing, QUIC blocking
and throttling. Only documentation addresses are used; nothing leaves the
lab. Needs root (network namespaces), iproute2 and nftables.

Usage:
  censorlab up [--scenario NAME|FILE] [--dir DIR]
        start the lab and keep it running until Ctrl-C (default scenario: mixed)
  censorlab exec [--id ID] [--in probe|censor|inet] -- COMMAND [ARG]...
        run a command inside a running lab (default: the probe host)
  censorlab check [--id ID] KIND ARG
        look at the lab from the probe: dns NAME | tls NAME | http URL | http3 URL
  censorlab demo [--scenario NAME|FILE] [--bin DIR] [--out DIR]
        run sonde end to end in the lab (default scenario: mixed): a private
        ClickHouse, the collector, the probe over the scenario's targets; print
        the verdicts and the country report, write it to DIR (default: out),
        remove everything else. The HTML report's path is the last line
  censorlab down
        remove every lab whose process is gone (a crashed run's leftovers)
  censorlab scenarios [NAME]
        list the shipped scenarios, or print one
  censorlab validate FILE...
        check scenario files; prints every problem with where it is
  censorlab sites
        list the lab's sites and addresses
`

func main() {
	lab.Child() // the lab re-executes this binary for its own programs
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, errInterrupted) {
			os.Exit(130) // Ctrl-C, said and cleaned up
		}
		fmt.Fprintln(os.Stderr, "censorlab:", err)
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			os.Exit(ee.ExitCode())
		}
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("no command given")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "up":
		return up(ctx, rest, out)
	case "demo":
		return demoCmd(ctx, rest, out)
	case "down":
		ids, err := lab.Sweep(ctx)
		for _, id := range ids {
			fmt.Fprintf(out, "removed lab %s\n", id)
		}
		if err == nil && len(ids) == 0 {
			fmt.Fprintln(out, "no leftovers")
		}
		return err
	case "exec":
		return execIn(ctx, rest)
	case "check":
		return checkCmd(ctx, rest, out)
	case "scenarios":
		return scenarios(rest, out)
	case "validate":
		return validate(rest, out)
	case "sites":
		return listSites(out)
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (see censorlab help)", cmd)
}

func up(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	name := fs.String("scenario", "mixed", "shipped scenario name or scenario file")
	dir := fs.String("dir", "", "directory for the CA, logs and packet trace (default: temporary, removed on exit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := scenario.Resolve(*name)
	if err != nil {
		return err
	}
	l, err := lab.Start(ctx, lab.Config{Scenario: s, Dir: *dir})
	if err != nil {
		return err
	}
	defer l.Close()
	if err := writeState(l); err != nil {
		return err
	}
	defer os.Remove(statePath(l.ID))
	printLab(out, l)
	<-ctx.Done()
	fmt.Fprintln(out, "\nstopping the lab…")
	return nil
}

func printLab(out io.Writer, l *lab.Lab) {
	a := l.Addrs
	fmt.Fprintf(out, "sonde censorship lab %s running scenario %q: %s\n\n", l.ID, l.Scenario.Name, l.Scenario.Description)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "probe host\t%s\t(namespace %s)\n", a.Probe, l.NamespaceName(lab.Probe))
	fmt.Fprintf(tw, "public resolver\t%s:53\n", a.Resolver)
	fmt.Fprintf(tw, "authoritative DNS\t%s:53\n", a.AuthDNS)
	fmt.Fprintf(tw, "control helper\t%s\t(reserved, %s; start it in namespace %s)\n", a.Control, sites.ControlName, l.NamespaceName(lab.Internet))
	fmt.Fprintf(tw, "collector\t%s\t(reserved, %s)\n", a.Collector, sites.CollectorName)
	fmt.Fprintf(tw, "censor blockpage\t%s\n", a.Blockpage)
	fmt.Fprintf(tw, "host link\t%s (host) ↔ %s (Internet)\n", a.HostSide, a.InetHostSide)
	fmt.Fprintf(tw, "lab CA\t%s\n", l.CAPath)
	fmt.Fprintf(tw, "logs, packet trace\t%s\n", l.Dir)
	tw.Flush()
	fmt.Fprintf(out, "\nRun a command on the probe host:\n  censorlab exec -- curl --cacert %s https://twitter.com/\n", l.CAPath)
	fmt.Fprintf(out, "  ip netns exec %s bin/probe run -t web_connectivity -i https://twitter.com/ -o out.jsonl --no-upload\n", l.NamespaceName(lab.Probe))
	fmt.Fprintf(out, "(SSL_CERT_FILE=%s makes Go programs trust the lab CA.)\n\nPress Ctrl-C to stop and remove the lab.\n", l.CAPath)
}

// state is what `censorlab up` leaves for exec and check to find it.
type state struct {
	ID     string `json:"id"`
	CAPath string `json:"ca_path"`
}

func statePath(id string) string { return "/run/sonde-lab/" + id + ".json" }

func writeState(l *lab.Lab) error {
	data, _ := json.Marshal(state{ID: l.ID, CAPath: l.CAPath})
	return os.WriteFile(statePath(l.ID), data, 0o644)
}

// findLab returns the state of the lab id, or of the only running lab.
func findLab(id string) (state, error) {
	if id != "" {
		data, err := os.ReadFile(statePath(id))
		if err != nil {
			return state{}, fmt.Errorf("no lab %s started by censorlab up: %w", id, err)
		}
		var s state
		return s, json.Unmarshal(data, &s)
	}
	entries, _ := os.ReadDir("/run/sonde-lab")
	var found []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return state{}, errors.New("no lab is running: start one with `censorlab up`")
	case 1:
		return findLab(found[0])
	}
	return state{}, fmt.Errorf("several labs are running (%s): choose one with --id", strings.Join(found, ", "))
}

func execIn(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("exec", flag.ContinueOnError)
	id := fs.String("id", "", "lab ID (default: the only running lab)")
	in := fs.String("in", "probe", "host: probe, censor or inet")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("exec needs a command (censorlab exec -- COMMAND [ARG]...)")
	}
	st, err := findLab(*id)
	if err != nil {
		return err
	}
	if *in != "probe" && *in != "censor" && *in != "inet" {
		return fmt.Errorf("--in %q: want probe, censor or inet", *in)
	}
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", "sondelab-" + st.ID + "-" + *in}, fs.Args()...)...)
	cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+st.CAPath)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd.Run()
}

func checkCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	id := fs.String("id", "", "lab ID (default: the only running lab)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("check needs a kind and an argument: dns NAME | tls NAME | http URL | http3 URL")
	}
	st, err := findLab(*id)
	if err != nil {
		return err
	}
	kind, arg := fs.Arg(0), fs.Arg(1)
	req := check.Request{Kind: kind, CAFile: st.CAPath, Timeout: 5 * time.Second}
	switch kind {
	case check.DNS:
		req.Name, req.Server = arg, sites.Resolver.String()+":53"
	case check.TLS:
		s, ok := sites.Lookup(arg)
		if !ok {
			return fmt.Errorf("%s is not a lab site (see censorlab sites)", arg)
		}
		req.Name, req.Addr = arg, s.Addr.String()+":443"
	case check.HTTP, check.HTTP3, check.Download:
		req.URL = arg
	default:
		return fmt.Errorf("unknown check %q: dns, tls, http, http3 or download", kind)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	data, _ := json.Marshal(req)
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", "sondelab-"+st.ID+"-probe", exe)
	cmd.Env = append(os.Environ(), "SONDE_LAB_CHILD=check")
	cmd.Stdin = strings.NewReader(string(data) + "\n")
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	return cmd.Run()
}

func scenarios(args []string, out io.Writer) error {
	if len(args) == 1 {
		src, err := scenario.Source(args[0])
		if err != nil {
			return fmt.Errorf("scenario %q is not shipped (shipped: %s)", args[0], strings.Join(scenario.Shipped(), ", "))
		}
		_, err = out.Write(src)
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, n := range scenario.Shipped() {
		s, err := scenario.LoadShipped(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%d rules, %d targets\t%s\n", n, s.Country, len(s.Rules), len(s.Targets), s.Description)
	}
	return tw.Flush()
}

func validate(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("validate needs scenario files")
	}
	bad := 0
	for _, f := range args {
		s, err := scenario.Load(f)
		if err != nil {
			fmt.Fprintln(out, err)
			bad++
			continue
		}
		fmt.Fprintf(out, "%s: ok (%s: %d rules, %d targets)\n", f, s.Name, len(s.Rules), len(s.Targets))
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d scenario files are invalid", bad, len(args))
	}
	return nil
}

func listSites(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, s := range sites.Catalog {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Addr, strings.Join(s.Names(), ", "), s.Title)
	}
	return tw.Flush()
}
