package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// binary builds this command once per test binary.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "sonde-collector-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "collector")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is a running collector process.
type proc struct {
	cmd  *exec.Cmd
	url  string
	log  *bytes.Buffer
	done chan error
}

// writeConfig writes a collector config for ClickHouse at chAddr/db.
func writeConfig(t testing.TB, dir, listen, chAddr, db string, extra string) string {
	t.Helper()
	cfg := fmt.Sprintf(`listen: %q
data_dir: %q
clickhouse: {addr: %q, database: %q}
auth: {allow_anonymous: true}
rate_limit:
  per_probe: {rate: -1}
  per_ip: {rate: -1}
loader: {batch_size: 2000, retry_max: 1s}
shutdown_timeout: 60s
log_level: warn
%s`, listen, filepath.Join(dir, "data"), chAddr, db, extra)
	path := filepath.Join(dir, "collector.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func startProc(t testing.TB, config, listen string) *proc {
	t.Helper()
	p := &proc{url: "http://" + listen, log: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(binary(t), "-config", config)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.url + probeapi.PathHealth)
		if err == nil {
			resp.Body.Close()
			return p
		}
		select {
		case err := <-p.done:
			t.Fatalf("collector exited at start: %v\n%s", err, p.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector did not answer within 30s:\n%s", p.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *proc) kill(t testing.TB) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(t testing.TB) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("collector exited with %v after SIGTERM:\n%s", err, p.log)
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("collector did not stop within 90s of SIGTERM:\n%s", p.log)
	}
}

// peakRSS is the process's peak resident memory in bytes (VmHWM).
func (p *proc) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}

// upload sends one batch; it returns the uids acknowledged (stored or
// duplicate), or an error when the request as a whole failed.
func upload(ctx context.Context, client *http.Client, url string, batch [][]byte) ([]string, error) {
	var body bytes.Buffer
	for _, m := range batch {
		body.Write(m)
		body.WriteByte('\n')
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+probeapi.PathBatchSubmit, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	var out probeapi.BatchSubmitResponse
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("answer: %w", err)
	}
	var uids []string
	for _, r := range out.Results {
		switch r.Status {
		case probeapi.StatusStored, probeapi.StatusDuplicate:
			uids = append(uids, r.MeasurementUID)
		default:
			return nil, fmt.Errorf("measurement rejected: %s", r.Error)
		}
	}
	return uids, nil
}
