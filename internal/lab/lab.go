package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sonde-project/sonde/internal/lab/censor"
	"github.com/sonde-project/sonde/internal/lab/netns"
	"github.com/sonde-project/sonde/internal/lab/scenario"
	"github.com/sonde-project/sonde/internal/lab/sites"
)

// Host names a machine of the lab.
type Host string

// The lab's hosts.
const (
	Probe    Host = netns.Probe  // the probe's host, behind the censor
	Censor   Host = netns.Censor // the censor router
	Internet Host = netns.Inet   // the uncensored Internet: sites, DNS, control, collector
)

// Config configures a lab. The zero value of every field but Scenario works.
type Config struct {
	// Scenario is what the censor does. REQUIRED.
	Scenario *scenario.Scenario
	// Dir receives the lab CA (ca.pem), the children's logs and the
	// censor's packet trace. OPTIONAL: a temporary directory, removed by
	// Close.
	Dir string
	// Exe is the binary re-executed to run the lab's programs in the
	// namespaces; it must call Child first thing. OPTIONAL: this binary.
	Exe string
	// Logf receives every command the lab runs. OPTIONAL.
	Logf func(format string, args ...any)
	// Delay is how far away the Internet is (see sites.Config.Delay).
	// OPTIONAL: 30ms.
	Delay time.Duration
}

// Addresses are where things are in the lab (see package sites).
type Addresses struct {
	Probe     netip.Addr // the probe's own address
	Resolver  netip.Addr // the public resolver the probe uses (port 53)
	AuthDNS   netip.Addr // the authoritative server of the lab's names
	Control   netip.Addr // reserved for the control helper (Internet host)
	Collector netip.Addr // reserved for the collector (Internet host)
	Blockpage netip.Addr // the censor's blockpage server
	// HostSide is the root namespace's end of the host link: bind services
	// the lab must reach on the host (ClickHouse) here.
	HostSide netip.Addr
	// InetHostSide is the Internet host's end of the host link: the host
	// reaches services of the Internet host here.
	InetHostSide netip.Addr
}

// Lab is a running lab.
type Lab struct {
	// ID is the lab's identifier, part of its namespaces' names.
	ID string
	// Dir holds ca.pem, the logs and censor.pcap.
	Dir string
	// CAPath is the lab CA's certificate (PEM): what the probe and the
	// control helper must trust.
	CAPath string
	// Addrs are the lab's addresses.
	Addrs    Addresses
	Scenario *scenario.Scenario

	cfg        Config
	set        *netns.Set
	ca         *sites.CA
	ownDir     bool
	mu         sync.Mutex
	stdins     []io.Closer
	forwarders []*forwarder
	closing    bool
	wg         sync.WaitGroup // child reapers
	closeMu    sync.Mutex
	closed     bool
}

// DefaultAddrs are the lab's addresses.
var DefaultAddrs = Addresses{
	Probe: sites.Probe, Resolver: sites.Resolver, AuthDNS: sites.AuthDNS, Control: sites.Control,
	Collector: sites.Collector, Blockpage: sites.Blockpage, HostSide: sites.HostSide, InetHostSide: sites.InetHostSide,
}

// Start builds a lab for cfg.Scenario: it sweeps what crashed runs left,
// creates the namespaces, starts the Internet's servers and the censor,
// and returns when all are ready. Close tears it all down.
func Start(ctx context.Context, cfg Config) (l *Lab, err error) {
	if cfg.Scenario == nil {
		return nil, errors.New("lab: no scenario")
	}
	if err := cfg.Scenario.Validate(); err != nil {
		return nil, fmt.Errorf("lab: scenario %s: %w", cfg.Scenario.Name, err)
	}
	l = &Lab{Addrs: DefaultAddrs, Scenario: cfg.Scenario, cfg: cfg, Dir: cfg.Dir}
	if l.cfg.Exe == "" {
		if l.cfg.Exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
	}
	if l.Dir == "" {
		if l.Dir, err = os.MkdirTemp("", "sonde-lab-"); err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		l.ownDir = true
	} else if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	if l.set, err = netns.Create(ctx, cfg.Logf); err != nil {
		l.removeDir()
		return nil, fmt.Errorf("lab: %w", err)
	}
	l.ID = l.set.ID
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	if err := l.set.Build(ctx); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	ca, err := sites.NewCA()
	if err != nil {
		return nil, err
	}
	l.ca = ca
	l.CAPath = filepath.Join(l.Dir, "ca.pem")
	if err := os.WriteFile(l.CAPath, ca.CertPEM(), 0o644); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	cert, key, err := ca.Issue(append(sites.Names(), sites.ControlName, sites.CollectorName),
		[]netip.Addr{sites.Control, sites.Collector, sites.InetHostSide})
	if err != nil {
		return nil, err
	}
	if err := l.startChild(ctx, Internet, "inet", sites.Config{CertPEM: cert, KeyPEM: key, Delay: cfg.Delay}); err != nil {
		return nil, err
	}
	ccfg := censor.Config{Scenario: cfg.Scenario, ProbeIf: netns.CensorProbeIf, InetIf: netns.CensorInetIf,
		InetPeerMAC: netns.InetMAC.String(), Trace: filepath.Join(l.Dir, "censor.pcap")}
	if err := l.startChild(ctx, Censor, "censor", ccfg); err != nil {
		return nil, err
	}
	return l, nil
}

// startChild re-executes the lab binary as role in host's namespace,
// sends it config and waits for it to say it is ready.
func (l *Lab) startChild(ctx context.Context, host Host, role string, config any) error {
	data, err := json.Marshal(config)
	if err != nil {
		return fmt.Errorf("lab: %s configuration: %w", role, err)
	}
	logPath := filepath.Join(l.Dir, role+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	defer logf.Close() // the child has its own descriptor
	cmd := l.set.Command(context.WithoutCancel(ctx), string(host), l.cfg.Exe)
	cmd.Env = append(os.Environ(), childEnv+"="+role)
	cmd.Stderr = logf
	ready := &readyWriter{ready: make(chan struct{})}
	cmd.Stdout = ready
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := l.set.Start(cmd); err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	exited := make(chan struct{})
	l.wg.Add(1)
	go func() { // reap the child whenever it ends
		defer l.wg.Done()
		_ = cmd.Wait()
		close(exited)
	}()
	l.mu.Lock()
	l.stdins = append(l.stdins, stdin)
	l.mu.Unlock()
	if _, err := stdin.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("lab: %s: %w", role, err)
	}
	select {
	case <-ready.ready:
	case <-exited:
		err = errors.New("exited")
	case <-time.After(30 * time.Second):
		err = errors.New("not ready after 30s")
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("lab: %s did not start (%v): %s", role, err, tail(logPath))
	}
	return nil
}

func tail(path string) string {
	data, _ := os.ReadFile(path)
	data = bytes.TrimSpace(data)
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(data)
}

// NamespaceName returns the name of host's network namespace, for
// `ip netns exec NAME ...`.
func (l *Lab) NamespaceName(h Host) string { return l.set.Name(string(h)) }

// Close stops every process of the lab and removes its namespaces, links
// and files. It is safe to call more than once.
func (l *Lab) Close() error {
	l.closeMu.Lock()
	defer l.closeMu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.mu.Lock()
	l.closing = true
	for _, c := range l.stdins {
		c.Close() // children stop when their input closes
	}
	forwarders := l.forwarders
	l.mu.Unlock()
	for _, f := range forwarders {
		f.close() // their sockets would keep the namespaces alive
	}
	var err error
	if l.set != nil {
		err = l.set.Close()
	}
	l.wg.Wait()
	l.removeDir()
	return err
}

// readyWriter closes ready when the child prints its first line.
type readyWriter struct {
	mu    sync.Mutex
	seen  bool
	ready chan struct{}
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.seen && bytes.Contains(p, []byte("\n")) {
		w.seen = true
		close(w.ready)
	}
	return len(p), nil
}

func (l *Lab) removeDir() {
	if l.ownDir {
		os.RemoveAll(l.Dir)
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// Leftovers lists what remains on the machine of the lab with this ID
// (namespaces, host link, /etc/netns files, lock): empty after Close.
func Leftovers(id string) []string { return netns.Leftovers(id) }

// Sweep removes the leftovers of labs whose process died and returns
// their IDs; labs still running are left alone.
func Sweep(ctx context.Context) ([]string, error) { return netns.Sweep(ctx, nil) }

// checkRoot says what the lab lacks on this machine (root, ip, nft, tc).
func checkRoot() error { return netns.Check() }
