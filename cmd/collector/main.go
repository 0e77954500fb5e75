// Command collector is sonde's collector: probes check in and upload
// measurements to it, and it keeps every measurement in ClickHouse.
//
//	collector -config collector.yml
//
// See collector/README.md for the API, the configuration and how to run
// it with ClickHouse.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/version"
)

const usage = `collector receives measurements from sonde and OONI probes and stores
them in ClickHouse.

Usage:
  collector [-config FILE]          run the collector
  collector -check [-config FILE]   check the configuration and exit
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
	svc, err := collector.Open(cfg, deps(log))
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
	if cfg.TLS.CertFile != "" {
		scheme = "https"
	}
	log.Info("collector listening", "url", scheme+"://"+ln.Addr().String(), "version", version.Version)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = svc.Serve(ctx, ln)
	log.Info("collector stopped")
	return err
}

// deps wires the other areas into the collector.
//
// NOTE for the integrator: the analysis (branch analysis:
// analysis.Analyze) and the test lists (branch testlists) were not
// written yet when this was. Wire them here:
//
//	Analyze: analysis.Analyze,                  // verdicts in ClickHouse
//	Targets: <testlists value>,                 // check-in targets (collector.Targets)
//	ControlHelper: controlhelper.New(...),      // served at control_helper.path
func deps(log *slog.Logger) collector.Deps {
	return collector.Deps{Logger: log}
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
