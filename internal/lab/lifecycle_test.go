package lab

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/lab/netns"
	"github.com/sonde-project/sonde/internal/lab/scenario"
)

// TestCloseLeavesNothing: after Close no namespace, host link, /etc/netns
// file, lock, nft table or process of the lab remains.
func TestCloseLeavesNothing(t *testing.T) {
	l := privateLab(t)
	censorNS := l.NamespaceName(Censor)
	out, err := exec.Command("ip", "netns", "exec", censorNS, "nft", "list", "tables").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "sonde_censor") {
		t.Errorf("censor's nft table missing while running: %s %v", out, err)
	}
	pids, _ := exec.Command("ip", "netns", "pids", censorNS).Output()
	if len(strings.Fields(string(pids))) == 0 {
		t.Error("no process in the censor's namespace while running")
	}
	dir := l.Dir
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if left := Leftovers(l.ID); len(left) > 0 {
		t.Errorf("left after Close: %v", left)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("lab directory %s still there", dir)
	}
	for _, f := range strings.Fields(string(pids)) {
		if running(f) {
			t.Errorf("process %s of the censor still running", f)
		}
	}
	if out, _ := exec.Command("nft", "list", "tables").Output(); strings.Contains(string(out), "sonde") {
		t.Errorf("an nft table of the lab in the root namespace: %s", out)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestCrashedRunIsSwept kills a running lab with SIGKILL (no clean-up at
// all), checks its leftovers are there, starts a new lab and checks that
// the start-up sweep removed them while the live shared lab was spared.
func TestCrashedRunIsSwept(t *testing.T) {
	live := sharedLab(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), testUpEnv+"=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("crashing lab did not start: %v", err)
	}
	id := strings.TrimSpace(line)
	ns := netns.Prefix + id + "-censor"
	pids, _ := exec.Command("ip", "netns", "pids", ns).Output()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if left := Leftovers(id); len(left) == 0 {
		t.Fatal("a SIGKILLed lab left nothing: the test proves nothing")
	}
	s, _ := scenario.LoadShipped("mixed")
	l, err := Start(ctxT(t, time.Minute), Config{Scenario: s})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if left := Leftovers(id); len(left) > 0 {
		t.Errorf("the start-up sweep left %v", left)
	}
	for _, f := range strings.Fields(string(pids)) {
		if running(f) {
			t.Errorf("process %s of the crashed lab still running", f)
		}
	}
	if left := Leftovers(live.ID); len(left) == 0 {
		t.Error("the sweep removed the live shared lab")
	}
	res := run(t, live, checkDNS("example.org"))
	if len(res.Answers) == 0 {
		t.Errorf("the live lab stopped working after the sweep: %+v", res)
	}
}

// running says whether a process exists and is not a zombie, giving init
// a moment to reap orphans.
func running(pid string) bool {
	for range 40 {
		data, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return false
		}
		if i := strings.LastIndexByte(string(data), ')'); i > 0 && i+2 < len(data) && data[i+2] == 'Z' {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}
