package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sonde-project/sonde/internal/lab"
	"github.com/sonde-project/sonde/internal/lab/sites"
)

// stackConfig says how to run sonde around a lab. Every field is
// REQUIRED.
type stackConfig struct {
	// Bin holds the probe, collector and analysis binaries.
	Bin string
	// ClickHouse is the native address of ClickHouse on this host
	// (127.0.0.1:port), and Database the database the collector fills.
	ClickHouse, Database string
	// Dir receives the collector's configuration, spool and log, and the
	// probe's directory and results.
	Dir string
}

// stack is sonde running around a lab: the collector (with the control
// helper and the researcher API) on the lab's Internet host, reaching
// ClickHouse on this host through a relay, and the probe run on the
// probe host by measure.
type stack struct {
	cfg       stackConfig
	lab       *lab.Lab
	collector *exec.Cmd
	exited    chan struct{}
	logPath   string
	// CollectorURL is where the probe uploads: the collector's name in
	// the lab, with a certificate from the lab CA.
	CollectorURL string
	// Client reaches the collector from this process (names are those of
	// the lab's Internet).
	Client *http.Client
}

// inLabClickHouse is where the collector finds ClickHouse inside the
// Internet namespace: a relay to cfg.ClickHouse on this host.
const inLabClickHouse = "127.0.0.1:9000"

// labPrefixes are the documentation ranges the lab uses: the control
// helper may connect there (a public helper refuses them).
var labPrefixes = []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"}

// startStack starts the collector in l's Internet namespace and returns
// once it answers /health.
func startStack(ctx context.Context, l *lab.Lab, cfg stackConfig) (*stack, error) {
	s := &stack{cfg: cfg, lab: l, CollectorURL: "https://" + sites.CollectorName,
		logPath: filepath.Join(cfg.Dir, "collector.log")}
	s.Client = l.HTTPClient(lab.Internet, map[string]netip.Addr{sites.CollectorName: sites.Collector})
	if _, err := l.Forward(lab.Internet, inLabClickHouse, cfg.ClickHouse); err != nil {
		return nil, err
	}
	conf, err := s.writeConfig()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the collector has its own descriptor
	cmd := exec.Command(filepath.Join(cfg.Bin, "collector"), "-config", conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if s.collector, err = l.StartInInternet(context.WithoutCancel(ctx), cmd); err != nil {
		return nil, fmt.Errorf("start the collector: %w", err)
	}
	s.exited = make(chan struct{})
	go func() { // reaps the collector; owned by the stack (stop waits)
		_ = s.collector.Wait()
		close(s.exited)
	}()
	if err := s.waitHealthy(ctx); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *stack) writeConfig() (string, error) {
	cert, key, err := s.lab.IssueCert([]string{sites.CollectorName}, []netip.Addr{sites.Collector})
	if err != nil {
		return "", err
	}
	certPath, keyPath := filepath.Join(s.cfg.Dir, "collector.pem"), filepath.Join(s.cfg.Dir, "collector-key.pem")
	if err := os.WriteFile(certPath, cert, 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(keyPath, key, 0o600); err != nil {
		return "", err
	}
	conf := fmt.Sprintf(`# written by censorlab for the lab's collector
listen: "%s:443"
public_url: %q
tls: {cert_file: %q, key_file: %q}
data_dir: %q
clickhouse: {addr: %q, database: %q}
loader: {retry_max: 1s}
control_helper:
  serve: true
  allow_prefixes: [%s]
  dns_servers: ["%s:53"]
  max_concurrency: 256
  step_timeout: 4s
research: {serve: true}
shutdown_timeout: 20s
log_level: info
`, sites.Collector, s.CollectorURL, certPath, keyPath, filepath.Join(s.cfg.Dir, "collector-data"),
		inLabClickHouse, s.cfg.Database, `"`+strings.Join(labPrefixes, `", "`)+`"`, sites.Resolver)
	path := filepath.Join(s.cfg.Dir, "collector.yml")
	return path, os.WriteFile(path, []byte(conf), 0o644)
}

func (s *stack) waitHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.CollectorURL+"/health", nil)
		resp, err := s.Client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		select {
		case <-s.exited:
			return fmt.Errorf("the collector exited at start: %s", s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("the collector did not answer (%v): %s", last, s.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// logTail is the end of the collector's log, for error messages.
func (s *stack) logTail() string {
	data, _ := os.ReadFile(s.logPath)
	if len(data) > 3000 {
		data = data[len(data)-3000:]
	}
	return strings.TrimSpace(string(data))
}

// stop shuts the collector down gracefully (SIGTERM: the loader flushes
// its spool) and waits for it.
func (s *stack) stop() error {
	if s.collector == nil || s.collector.Process == nil {
		return nil
	}
	_ = syscall.Kill(-s.collector.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-s.collector.Process.Pid, syscall.SIGKILL)
		<-s.exited
		return errors.New("the collector did not stop within 30s")
	}
	s.Client.CloseIdleConnections()
	return nil
}
