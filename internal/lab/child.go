package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sonde-project/sonde/internal/lab/censor"
	"github.com/sonde-project/sonde/internal/lab/check"
	"github.com/sonde-project/sonde/internal/lab/sites"
)

// childEnv names the role a re-executed lab process plays.
const childEnv = "SONDE_LAB_CHILD"

// maxChildConfig bounds the configuration a child reads on its input.
const maxChildConfig = 4 << 20

// roles are the programs the lab runs inside its namespaces, by
// re-executing the current binary (censorlab, or a test binary whose
// TestMain calls Child). Each reads its JSON configuration as the first
// line of standard input, prints "ready" when serving, and stops when its
// input closes or on SIGTERM.
var roles = map[string]func(ctx context.Context, config []byte, log *slog.Logger, ready func()) error{
	"censor": runCensor,
	"inet":   runInternet,
	"check":  runCheck,
}

// Child runs the lab role this process was started for and exits. In any
// other process it returns at once. Call it first thing in main, and in
// TestMain of any test binary that starts a lab.
func Child() {
	role := os.Getenv(childEnv)
	if role == "" {
		return
	}
	run, ok := roles[role]
	if !ok {
		fmt.Fprintf(os.Stderr, "lab: unknown child role %q\n", role)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("role", role)
	in := bufio.NewReaderSize(io.LimitReader(os.Stdin, maxChildConfig), 64<<10)
	config, err := in.ReadBytes('\n')
	if err != nil && err != io.EOF {
		log.Error("read configuration", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	if role != "check" { // one-shot checks get their whole input at once
		go func() { // the parent closes our input (or dies): stop
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel()
		}()
	}
	ready := func() { fmt.Fprintln(os.Stdout, "ready") }
	if err := run(ctx, config, log, ready); err != nil {
		log.Error("failed", "err", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runCensor(ctx context.Context, config []byte, log *slog.Logger, ready func()) error {
	var cfg censor.Config
	if err := strictJSON(config, &cfg); err != nil {
		return err
	}
	c, err := censor.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	ready()
	err = c.Wait()
	log.Info("censor stopped", "stats", fmt.Sprintf("%+v", c.Engine.Stats()))
	return err
}

func runInternet(ctx context.Context, config []byte, log *slog.Logger, ready func()) error {
	var cfg sites.Config
	if err := strictJSON(config, &cfg); err != nil {
		return err
	}
	g, err := sites.Serve(ctx, cfg)
	if err != nil {
		return err
	}
	ready()
	select {
	case <-ctx.Done():
	case err := <-g.Errors():
		log.Error("server stopped", "err", err)
	}
	g.Wait()
	return nil
}

// runCheck runs one client check (see package check) and prints its
// result as JSON: how tests look at the lab from the probe's side.
func runCheck(ctx context.Context, config []byte, _ *slog.Logger, _ func()) error {
	var req check.Request
	if err := strictJSON(config, &req); err != nil {
		return err
	}
	res := check.Run(ctx, req)
	return json.NewEncoder(os.Stdout).Encode(res)
}

func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytesReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("child configuration: %w", err)
	}
	return nil
}
