package spool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/sonde-project/sonde/collector/spool"
)

// smallDisk mounts a tmpfs of size bytes and returns its path. It needs
// root: the test fails without it (only -short skips).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs root to mount a small tmpfs; skipped because of -short")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root, to mount a small tmpfs that fills up (run as root, or with -short)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestDiskFull fills a 256 KiB disk: appends fail with ENOSPC, every
// acknowledged record stays readable (before and after reopening), and
// appends work again once the loader has freed space.
func TestDiskFull(t *testing.T) {
	dir := smallDisk(t, "256k")
	cfg := spool.Config{Dir: dir + "/spool", SegmentBytes: 64 << 10}
	s, err := spool.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rec := make([]byte, 3000)
	var acked []string
	var failures int
	for i := 0; i < 200 && failures < 5; i++ {
		r := append(fmt.Appendf(nil, "%04d", i), rec...)
		err := s.Append(ctx, r)
		switch {
		case err == nil:
			acked = append(acked, string(r[:4]))
		case errors.Is(err, syscall.ENOSPC):
			failures++
		default:
			t.Fatalf("append %d: %v, want ENOSPC", i, err)
		}
	}
	if failures == 0 || len(acked) < 20 {
		t.Fatalf("%d acknowledged, %d failures: the disk did not fill", len(acked), failures)
	}
	s.Close()

	s, err = spool.Open(cfg)
	if err != nil {
		t.Fatalf("reopening a full spool: %v", err)
	}
	defer s.Close()
	var got []string
	var end spool.Position
	for {
		b, err := s.Read(16, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Records) == 0 {
			end = b.End
			break
		}
		if b.Corrupt != 0 {
			t.Errorf("corrupt records after disk full: %d", b.Corrupt)
		}
		for _, r := range b.Records {
			got = append(got, string(r[:4]))
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(acked) {
		t.Fatalf("after disk full read %d records, acknowledged %d:\n%v\n%v", len(got), len(acked), got, acked)
	}
	// The loader stored them: space comes back and appends work again.
	if err := s.Commit(end); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := s.Append(ctx, append(fmt.Appendf(nil, "new%d", i), rec...)); err != nil {
			t.Fatalf("append after space returned: %v", err)
		}
	}
}
