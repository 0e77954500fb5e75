// Command controlhelper runs sonde's control helper on its own: the
// uncensored vantage point that probes compare their view with. It speaks
// the protocol of OONI's test helper (oohelperd), so OONI's probes can use
// it too. The collector also serves the same helper; run this binary when
// the helper should live on another machine or network.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sonde-project/sonde/internal/controlhelper"
	"github.com/sonde-project/sonde/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "controlhelper:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// errUsage means the command line was wrong.
var errUsage = errors.New("bad command line")

// run parses args, starts the helper and serves until ctx ends. When ready
// is not nil it receives the address listened on.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- net.Addr) error {
	opts, err := parseFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: opts.logLevel}))
	cfg, err := opts.config(logger)
	if err != nil {
		return err
	}
	h, err := controlhelper.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", opts.listen, err)
	}
	logger.Info("control helper listening", "address", ln.Addr().String(), "tls", opts.tlsCert != "",
		"version", version.Version, "max_concurrency", cfg.MaxConcurrency, "dns_servers", cfg.DNSServers)
	if ready != nil {
		ready <- ln.Addr()
	}
	return serve(ctx, ln, h, opts, cfg)
}

// serve runs the HTTP server on ln until ctx ends, then drains it.
func serve(ctx context.Context, ln net.Listener, h *controlhelper.Handler, opts *options, cfg controlhelper.Config) error {
	mux := http.NewServeMux()
	h.Mount(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "sonde control helper %s: POST an oohelperd request (JSON) to / or %s\n",
			version.Version, controlhelper.PathAPI)
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		s := h.Stats()
		fmt.Fprintf(w, "ok measured=%d rejected=%d busy=%d\n", s.Measured, s.Rejected, s.Busy)
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() {
		if opts.tlsCert != "" {
			errc <- srv.ServeTLS(ln, opts.tlsCert, opts.tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), cfg.RequestTimeout)
	defer cancel()
	err := srv.Shutdown(shutdown) // lets running measurements finish
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}
