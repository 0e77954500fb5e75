package collector_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// TestDiskFullIs507AndRecovers puts the data directory on a 2 MiB tmpfs,
// fills it: uploads get 507 with a reason, and succeed again once space
// returns. It needs root (it fails without; -short skips it).
func TestDiskFullIs507AndRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("needs root to mount a small tmpfs; skipped because of -short")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root, to mount a small tmpfs that fills up (run as root, or with -short)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	f := start(t, false, func(c *collector.Config) { c.DataDir = filepath.Join(dir, "data") })
	token := f.register(t)
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 1700<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	upload := func(i int) (int, string) {
		d := realMeasurement(t, "http://full.example/"+strings.Repeat("x", i%50), time.Now().Add(-time.Duration(i)*time.Second))
		b, _ := json.Marshal(probeapi.BatchSubmitRequest{Measurements: []json.RawMessage{mustJSON(d)}})
		code, body, _ := f.do(t, call{method: "POST", path: probeapi.PathBatchSubmit, token: token, body: b})
		return code, string(body)
	}
	var full bool
	stored := 0
	for i := range 200 {
		code, body := upload(i)
		if code == 507 {
			if !strings.Contains(body, "disk is full") {
				t.Errorf("507 without a clear reason: %s", body)
			}
			full = true
			break
		}
		if code != 200 {
			t.Fatalf("upload %d: %d %s", i, code, body)
		}
		stored++
	}
	if !full || stored == 0 {
		t.Fatalf("%d uploads stored before the disk was full (full: %v)", stored, full)
	}
	os.Remove(filler)
	if code, body := upload(1000); code != 200 {
		t.Fatalf("after space returned: %d %s", code, body)
	}
}
