package netns

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func needRoot(t *testing.T) {
	t.Helper()
	if err := Check(); err != nil {
		if testing.Short() {
			t.Skipf("-short: the lab needs root, ip, nft and tc: %v", err)
		}
		t.Fatalf("the lab needs root, ip, nft and tc (go test -short skips this): %v", err)
	}
}

// TestBuildAndClose builds a lab network, checks its routes from the
// probe's side, and checks that Close leaves nothing behind.
func TestBuildAndClose(t *testing.T) {
	needRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Create(ctx, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Build(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ip", "-n", s.Name(Probe), "route", "get", "203.0.113.10").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "via 192.0.2.1") {
		t.Errorf("probe route to the Internet: %s %v", out, err)
	}
	// Nothing routes out of the lab: the censor has no default route.
	if out, err := exec.Command("ip", "-n", s.Name(Censor), "route", "get", "9.9.9.9").CombinedOutput(); err == nil {
		t.Errorf("the censor routes outside the lab: %s", out)
	}
	// The Internet's host link reaches the root namespace.
	out, err = exec.Command("ip", "-n", s.Name(Inet), "route", "get", "198.51.100.249").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "dev host0") {
		t.Errorf("host link: %s %v", out, err)
	}
	if left := Leftovers(s.ID); len(left) == 0 {
		t.Fatal("Leftovers sees nothing of a live lab")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if left := Leftovers(s.ID); len(left) > 0 {
		t.Errorf("left after Close: %v", left)
	}
}
