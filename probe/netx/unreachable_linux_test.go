package netx

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sonde-project/sonde/internal/failure"
)

// TestUnreachable produces host_unreachable and network_unreachable in a
// network namespace of its own (root), where 192.0.2.0/24 has an
// "unreachable" route and 198.51.100.0/24 has no route at all. Nothing
// leaves the namespace: it has no interface but loopback.
func TestUnreachable(t *testing.T) {
	if os.Geteuid() != 0 {
		if testing.Short() {
			t.Skip("needs root to make a network namespace (skipped with -short)")
		}
		t.Fatal("needs root to make a network namespace: run as root, or with -short to skip")
	}
	name := fmt.Sprintf("sonde-netx-%d", os.Getpid())
	ip := func(args ...string) {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	ip("netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() }) //nolint:errcheck // best effort
	ip("-n", name, "link", "set", "lo", "up")
	ip("-n", name, "route", "add", "unreachable", "192.0.2.0/24")

	for addr, want := range map[string]string{
		"192.0.2.1:443":    failure.HostUnreachable,
		"198.51.100.1:443": failure.NetworkUnreachable,
	} {
		got := make(chan string, 1)
		go func() {
			// The thread enters the namespace and dies with the goroutine
			// (it is never unlocked), so no other goroutine runs there.
			runtime.LockOSThread()
			fd, err := unix.Open("/var/run/netns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				got <- "open: " + err.Error()
				return
			}
			defer unix.Close(fd)
			if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
				got <- "setns: " + err.Error()
				return
			}
			n, _ := New(Config{StepTimeout: 2 * time.Second})
			_, err = n.DialTCP(context.Background(), addr)
			if f := failure.Of(n.Steps().TCPConnect[0].Status.Failure); f != failure.Classify(err) {
				got <- "recorded " + f + ", returned " + failure.Classify(err)
				return
			}
			got <- failure.Classify(err)
		}()
		if g := <-got; g != want {
			t.Errorf("%s: got %q, want %q", addr, g, want)
		}
	}
}
