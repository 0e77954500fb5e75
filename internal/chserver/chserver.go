// Package chserver runs a private ClickHouse server: its own data
// directory, its own configuration file, free loopback ports, no systemd.
// Tests, the demo and the censorship lab use it so that nothing depends on
// a ClickHouse already running on the machine.
//
// It works with Debian's clickhouse-server package (18.16) and with
// current releases (the single "clickhouse" binary).
package chserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNotInstalled means no ClickHouse server binary was found.
var ErrNotInstalled = errors.New("clickhouse-server is not installed: run `make deps` as root, or `apt-get install clickhouse-server`")

// Config describes a private server. The zero value works: a temporary
// directory and free ports.
type Config struct {
	// Dir holds data, logs and configuration. OPTIONAL: a new temporary
	// directory, removed by Stop.
	Dir string
	// TCPPort and HTTPPort are the native and HTTP ports on 127.0.0.1.
	// OPTIONAL: free ports.
	TCPPort, HTTPPort int
	// Listen is the address to listen on. OPTIONAL: 127.0.0.1.
	Listen string
	// StartTimeout bounds how long Start waits for the server to answer.
	// OPTIONAL: 90s.
	StartTimeout time.Duration
	// Users are accounts besides "default" (which has no password and
	// answers only on the loopback and Listen). OPTIONAL.
	Users []User
}

var (
	userName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// User is an account that logs in with a password, from the same
// networks as "default".
type User struct {
	// Name is letters, digits and underscores. REQUIRED.
	Name string
	// PasswordSHA256 is the hex SHA-256 of the password. REQUIRED.
	PasswordSHA256 string
}

// Server is a running private ClickHouse.
type Server struct {
	cfg     Config
	ownDir  bool
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

// Binary returns the command that runs a server: clickhouse-server, or
// "clickhouse server" from the single binary of current releases.
func Binary() ([]string, error) {
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return []string{p}, nil
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return []string{p, "server"}, nil
	}
	for _, p := range []string{"/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server"} {
		if _, err := os.Stat(p); err == nil {
			return []string{p}, nil
		}
	}
	return nil, ErrNotInstalled
}

// Start writes the configuration and starts the server, returning once it
// answers queries.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	for _, u := range cfg.Users {
		if !userName.MatchString(u.Name) || u.Name == "default" || !sha256Hex.MatchString(u.PasswordSHA256) {
			return nil, fmt.Errorf("clickhouse: user %q: give a name of letters, digits and underscores (not default) and the password's SHA-256 in hex", u.Name)
		}
	}
	s := &Server{cfg: cfg}
	if s.cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "sonde-clickhouse-")
		if err != nil {
			return nil, fmt.Errorf("clickhouse: %w", err)
		}
		s.cfg.Dir, s.ownDir = dir, true
	}
	if s.cfg.Listen == "" {
		s.cfg.Listen = "127.0.0.1"
	}
	if s.cfg.StartTimeout == 0 {
		s.cfg.StartTimeout = 90 * time.Second
	}
	for _, p := range []*int{&s.cfg.TCPPort, &s.cfg.HTTPPort} {
		if *p == 0 {
			if *p, err = freePort(s.cfg.Listen); err != nil {
				return nil, err
			}
		}
	}
	if err := s.writeConfig(); err != nil {
		return nil, err
	}
	if err := s.start(ctx, bin); err != nil {
		s.removeDir()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, bin []string) error {
	args := append(bin[1:], "--config-file="+filepath.Join(s.cfg.Dir, "config.xml"))
	cmd := exec.Command(bin[0], args...)
	cmd.Dir = s.cfg.Dir
	out, err := os.OpenFile(filepath.Join(s.cfg.Dir, "log", "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("clickhouse: %w", err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group: a Ctrl-C meant for the parent does not kill
	// it before the parent has flushed what it was writing.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("clickhouse: start %s: %w", bin[0], err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() { // owned by the Server: ends when the process does
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	return s.waitReady(ctx)
}

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.StartTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	url := "http://" + s.HTTPAddr() + "/?query=SELECT%201"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("clickhouse exited during start-up (%v); its log: %s", s.waitErr, s.LogTail())
		case <-ctx.Done():
			s.Kill()
			return fmt.Errorf("clickhouse did not answer within %s; its log: %s", s.cfg.StartTimeout, s.LogTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Addr is the native protocol address (host:port) for clickhouse-go.
func (s *Server) Addr() string {
	return net.JoinHostPort(s.cfg.Listen, strconv.Itoa(s.cfg.TCPPort))
}

// HTTPAddr is the HTTP interface address (host:port).
func (s *Server) HTTPAddr() string {
	return net.JoinHostPort(s.cfg.Listen, strconv.Itoa(s.cfg.HTTPPort))
}

// Dir is the server's directory.
func (s *Server) Dir() string { return s.cfg.Dir }

// Stop shuts the server down (SIGTERM, then SIGKILL after 20s) and removes
// its directory if Start created it.
func (s *Server) Stop() error {
	err := s.Shutdown()
	s.removeDir()
	return err
}

// Shutdown stops the server and keeps its directory, so that Restart can
// bring it back with the same data.
func (s *Server) Shutdown() error {
	if s.cmd == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.Kill()
	}
	return nil
}

// Kill stops the server with SIGKILL, as a crash would.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.exited
}

// Restart starts a stopped server again, with the same ports and data.
func (s *Server) Restart(ctx context.Context) error {
	if err := s.Shutdown(); err != nil {
		return err
	}
	bin, err := Binary()
	if err != nil {
		return err
	}
	return s.start(ctx, bin)
}

// LogTail returns the last lines of the server's error log, for error
// messages.
func (s *Server) LogTail() string {
	var parts []string
	for _, name := range []string{"err.log", "stdout.log"} {
		b, err := os.ReadFile(filepath.Join(s.cfg.Dir, "log", name))
		if err != nil || len(b) == 0 {
			continue
		}
		if len(b) > 2000 {
			b = b[len(b)-2000:]
		}
		parts = append(parts, name+": "+string(b))
	}
	if len(parts) == 0 {
		return "(empty)"
	}
	return strings.Join(parts, "\n")
}

func (s *Server) removeDir() {
	if s.ownDir {
		os.RemoveAll(s.cfg.Dir)
	}
}

func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("clickhouse: finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
