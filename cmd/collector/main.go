// Command collector is sonde's collector: probes check in and upload
// measurements to it, and it keeps every measurement in ClickHouse.
//
//	collector -config collector.yml
//
// See collector/README.md for the API, the configuration and how to run
// it with ClickHouse.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/collector/geoip"
	"github.com/sonde-project/sonde/collector/researchapi"
	"github.com/sonde-project/sonde/internal/controlhelper"
	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/version"
	"github.com/sonde-project/sonde/internal/warehouse"
	"github.com/sonde-project/sonde/testlists"
)

const usage = `collector receives measurements from sonde and OONI probes and stores
them in ClickHouse.

Usage:
  collector [-config FILE]          run the collector
  collector -check [-config FILE]   check the configuration and exit
  collector -hash-token             read a token on standard input, print
                                    its SHA-256 for admin.token_sha256 or
                                    auth.metrics_token_sha256
  collector -version

Without -config every option has its default (see collector.example.yml):
plain HTTP on :8080, the spool in ./sonde-collector-data, ClickHouse at
127.0.0.1:9000, database "sonde". SIGINT or SIGTERM shut it down
gracefully: requests in flight finish and the spool is flushed to
ClickHouse (for at most shutdown_timeout).

Flags:
`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("collector", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	configPath := fs.String("config", "", "the configuration file (YAML)")
	check := fs.Bool("check", false, "check the configuration and exit")
	showVersion := fs.Bool("version", false, "print the version and exit")
	hashToken := fs.Bool("hash-token", false, "read a token on standard input and print its SHA-256 (hex)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *showVersion {
		fmt.Println(version.Name, "collector", version.Version)
		return 0
	}
	if *hashToken {
		return printTokenHash(os.Stdin, os.Stdout)
	}
	var cfg collector.Config
	if *configPath != "" {
		var err error
		if cfg, err = collector.LoadConfig(*configPath); err != nil {
			fmt.Fprintln(os.Stderr, "collector:", err)
			return 2
		}
	} else if err := cfg.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "collector:", err)
		return 2
	}
	if *check {
		fmt.Println("configuration OK")
		return 0
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel(cfg.LogLevel)}))
	if err := serve(cfg, log); err != nil {
		log.Error("collector stopped", "err", err)
		return 1
	}
	return 0
}

func serve(cfg collector.Config, log *slog.Logger) error {
	d, closeDeps, err := deps(cfg, log)
	if err != nil {
		return err
	}
	defer closeDeps()
	svc, err := collector.Open(cfg, d)
	if err != nil {
		return err
	}
	addr := cfg.Listen
	if addr == "" {
		addr = ":8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		svc.Close(context.Background())
		return err
	}
	scheme := "http"
	if cfg.TLS.CertFile != "" || len(cfg.TLS.AutocertDomains) > 0 {
		scheme = "https"
	}
	log.Info("collector listening", "url", scheme+"://"+ln.Addr().String(), "version", version.Version)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = svc.Serve(ctx, ln)
	log.Info("collector stopped")
	return err
}

// deps wires the other areas into the collector: the analysis computes
// each stored measurement's verdict, the test lists give check-in targets,
// and the control helper answers web_connectivity's control requests.
func deps(cfg collector.Config, log *slog.Logger) (collector.Deps, func(), error) {
	d := collector.Deps{Logger: log, AnalyzeWithSteps: analysis.AnalyzeWithSteps}
	if cfg.ControlHelper.Serve {
		th, err := controlHelper(cfg, log)
		if err != nil {
			return d, nil, err
		}
		d.ControlHelper = th
	}
	var store *testlists.Store
	if cfg.CheckIn.TestLists == "" {
		log.Warn("check_in.test_lists is not set: check-ins carry no targets")
	} else {
		var err error
		if store, err = testlists.Open(testlists.Config{Dir: cfg.CheckIn.TestLists, SkipBadRows: true, Logger: log}); err != nil {
			return d, nil, fmt.Errorf("check_in.test_lists: %w", err)
		}
		d.Targets = listTargets{store}
	}
	closeAll := func() {}
	if cfg.Research.Serve {
		// Its own connection pool: researchers' queries do not queue
		// behind the loader's inserts.
		conn, err := warehouse.Open(cfg.ClickHouse)
		if err != nil {
			return d, nil, fmt.Errorf("research: %w", err)
		}
		rc := researchapi.Config{Logger: log, QueryTime: cfg.Research.QueryTime, MaxExportDays: cfg.Research.MaxExportDays}
		if store != nil {
			rc.Categories = liveCategories(store)
		}
		d.Research = researchapi.New(conn, rc)
		closeAll = func() { conn.Close() }
	}
	return d, closeAll, nil
}

// liveCategories gives the report pages the categories of the test lists
// in use, computed once per version of the lists (the store swaps its Set
// when a list changes on disk or on SIGHUP).
func liveCategories(store *testlists.Store) func() map[string]string {
	type cached struct {
		set *testlists.Set
		m   map[string]string
	}
	var last atomic.Pointer[cached]
	return func() map[string]string {
		set := store.Set()
		if c := last.Load(); c != nil && c.set == set {
			return c.m
		}
		c := &cached{set, set.DomainCategories()}
		last.Store(c)
		return c.m
	}
}

// controlHelper builds the control helper from the configuration; the
// networks of the addresses it reports come from the collector's mmdb.
func controlHelper(cfg collector.Config, log *slog.Logger) (http.Handler, error) {
	geo, err := geoip.Open(cfg.GeoIP.CountryDB, cfg.GeoIP.ASNDB)
	if err != nil {
		return nil, fmt.Errorf("control helper: %w", err)
	}
	hc := controlhelper.Config{
		Logger:         log,
		DNSServers:     cfg.ControlHelper.DNSServers,
		MaxConcurrency: cfg.ControlHelper.MaxConcurrency,
		StepTimeout:    cfg.ControlHelper.StepTimeout,
		LookupASN: func(a netip.Addr) (int64, string) {
			loc := geo.Lookup(a)
			return int64(loc.ASN), loc.NetworkName
		},
	}
	for _, p := range cfg.ControlHelper.AllowPrefixes {
		hc.AllowPrefixes = append(hc.AllowPrefixes, netip.MustParsePrefix(p)) // validated at load
	}
	return controlhelper.New(hc)
}

// listTargets serves check-in targets from the Citizen Lab test lists.
type listTargets struct{ store *testlists.Store }

func (l listTargets) Targets(ctx context.Context, q collector.TargetQuery) ([]probeapi.CheckInTarget, error) {
	picked := l.store.Pick(ctx, testlists.Request{
		CC: q.CC, ASN: fmt.Sprintf("AS%d", q.ASN), Categories: q.Categories, OptOut: q.OptOut, Max: q.Max,
	})
	return testlists.CheckInTargets(picked), nil
}

// printTokenHash reads one token (the first line of r, at most 4 KiB) and
// writes its SHA-256 in hex: what the configuration holds instead of the
// token.
func printTokenHash(r io.Reader, w io.Writer) int {
	line, err := bufio.NewReader(io.LimitReader(r, 4<<10)).ReadString('\n')
	token := strings.TrimSpace(line)
	if token == "" {
		if err == nil || err == io.EOF {
			err = errors.New("no token on standard input")
		}
		fmt.Fprintln(os.Stderr, "collector -hash-token:", err)
		return 2
	}
	sum := sha256.Sum256([]byte(token))
	fmt.Fprintln(w, hex.EncodeToString(sum[:]))
	return 0
}

func logLevel(s string) slog.Level {
	switch s {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
