package netns

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Prefix starts the name of every namespace the lab creates.
const Prefix = "sondelab-"

// LockDir holds one lock file per live lab.
var LockDir = "/run/sonde-lab"

// Roles of the lab's namespaces.
const (
	Probe  = "probe"
	Censor = "censor"
	Inet   = "inet"
)

// Roles lists the namespaces of a lab, in creation order.
var Roles = []string{Probe, Censor, Inet}

// Set is one lab's namespaces and the processes started in them.
type Set struct {
	// ID is the lab's random identifier (6 hex digits).
	ID       string
	lock     *os.File
	lockPath string
	logf     func(format string, args ...any)

	mu     sync.Mutex
	procs  []*exec.Cmd
	closed bool
}

// Name returns the namespace name of a role ("sondelab-3fa2c1-probe").
func (s *Set) Name(role string) string { return Prefix + s.ID + "-" + role }

// HostLink is the name of the host link's end in the root namespace.
func (s *Set) HostLink() string { return hostLinkName(s.ID) }

func hostLinkName(id string) string { return "sl" + id + "-h" }

// Check says what is missing for the lab to run: root (or CAP_NET_ADMIN
// with CAP_SYS_ADMIN) and the ip, nft and tc commands.
func Check() error {
	var missing []string
	for _, c := range []string{"ip", "nft", "tc"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	var errs []error
	if os.Geteuid() != 0 {
		errs = append(errs, errors.New("the lab creates network namespaces and needs root: run it with sudo"))
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("commands %s not found: install the Debian packages iproute2 and nftables (scripts/deps.sh lab)",
			strings.Join(missing, ", ")))
	}
	return errors.Join(errs...)
}

// Create sweeps dead labs, then makes a new lab's namespaces and takes its
// lock. logf receives every command run; nil discards.
func Create(ctx context.Context, logf func(string, ...any)) (*Set, error) {
	if err := Check(); err != nil {
		return nil, err
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if _, err := Sweep(ctx, logf); err != nil {
		return nil, err
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	s := &Set{ID: hex.EncodeToString(b[:]), logf: logf}
	if err := os.MkdirAll(LockDir, 0o755); err != nil {
		return nil, fmt.Errorf("lab lock directory: %w", err)
	}
	// Lock a temporary file, then rename it into place: a concurrent Sweep
	// never sees the lock file of a live lab unlocked.
	path := filepath.Join(LockDir, s.ID+".lock")
	lock, err := os.CreateTemp(LockDir, ".new-*")
	if err != nil {
		return nil, fmt.Errorf("lab lock: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		os.Remove(lock.Name())
		return nil, fmt.Errorf("lab lock: %w", err)
	}
	fmt.Fprintf(lock, "%d\n", os.Getpid())
	if err := os.Rename(lock.Name(), path); err != nil {
		lock.Close()
		os.Remove(lock.Name())
		return nil, fmt.Errorf("lab lock: %w", err)
	}
	s.lock = lock
	s.lockPath = path
	for _, r := range Roles {
		if err := s.run(ctx, "ip", "netns", "add", s.Name(r)); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// run runs a command to completion, returning its output in the error.
func (s *Set) run(ctx context.Context, name string, args ...string) error {
	return runLogged(ctx, s.logf, nil, name, args...)
}

func runLogged(ctx context.Context, logf func(string, ...any), stdin []byte, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	logf("%s %s", name, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Batch runs iproute2 commands (one per line, without the leading "ip")
// in the namespace of role, or in the root namespace when role is "".
func (s *Set) Batch(ctx context.Context, role string, lines []string) error {
	args := []string{"-batch", "-"}
	if role != "" {
		args = append([]string{"-n", s.Name(role)}, args...)
	}
	for _, l := range lines {
		s.logf("ip %s", l)
	}
	return runLogged(ctx, func(string, ...any) {}, []byte(strings.Join(lines, "\n")+"\n"), "ip", args...)
}

// Run runs a command to completion inside the namespace of role.
func (s *Set) Run(ctx context.Context, role string, stdin []byte, name string, args ...string) error {
	return runLogged(ctx, s.logf, stdin, "ip", append([]string{"netns", "exec", s.Name(role), name}, args...)...)
}

// Command returns a command that runs name inside the namespace of role,
// in its own process group and killed if this process dies. Start it with
// Set.Start so that Close kills it.
func (s *Set) Command(ctx context.Context, role, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", s.Name(role), name}, args...)...)
	Own(cmd)
	return cmd
}

// Own makes cmd start in its own process group, killed with its group
// when ctx ends and when this process dies.
func Own(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	cmd.Cancel = func() error { return killGroup(cmd, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
}

func killGroup(cmd *exec.Cmd, sig syscall.Signal) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, sig)
}

// Start starts cmd (from Command) and keeps it for Close.
func (s *Set) Start(cmd *exec.Cmd) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("lab closed")
	}
	s.logf("start %s", strings.Join(cmd.Args, " "))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", strings.Join(cmd.Args, " "), err)
	}
	live := s.procs[:0]
	for _, p := range s.procs {
		if processAlive(p.Process.Pid) {
			live = append(live, p)
		}
	}
	s.procs = append(live, cmd)
	return nil
}

// Close kills every process started in the lab (SIGTERM, then SIGKILL
// after a grace period), deletes the namespaces, the host link and the
// /etc/netns files, and releases the lock. It is safe to call twice.
func (s *Set) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	procs := s.procs
	s.mu.Unlock()
	for _, p := range procs {
		_ = killGroup(p, syscall.SIGTERM)
	}
	deadline := time.Now().Add(3 * time.Second)
	for _, p := range procs {
		for processAlive(p.Process.Pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if processAlive(p.Process.Pid) {
			_ = killGroup(p, syscall.SIGKILL)
		}
	}
	err := remove(context.Background(), s.logf, s.ID)
	if s.lock != nil {
		os.Remove(s.lockPath)
		s.lock.Close()
	}
	return err
}

// processAlive says whether pid exists and is not a zombie waiting for us.
func processAlive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(data, ')')
	return i < 0 || i+2 >= len(data) || data[i+2] != 'Z'
}
