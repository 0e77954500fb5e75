package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/scrub"
	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
	"github.com/sonde-project/sonde/probe/config"
	"github.com/sonde-project/sonde/probe/upload"
)

// ipService answers with the planted address, as api.ipify.org would.
func ipService(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(plantedIP + "\n"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestRunOffline(t *testing.T) {
	h := newHarness(t, nil)
	list := filepath.Join(h.dir, "list.csv")
	os.WriteFile(list, []byte("url,category_code,category_description,date_added,source,notes\n"+
		"https://news.example/,NEWS,News,2024-01-01,x,\nhttps://adult.example/,PORN,Porn,2024-01-01,x,\n"+
		"https://blocked.example/,HUMR,Human rights,2024-01-01,x,\n"), 0o644)
	out := filepath.Join(h.dir, "results.jsonl")
	code := h.run("run", "-t", "echo", "-i", "https://a.example/", "-i", "https://news.example/", "-f", list,
		"--categories-opt-out", "PORN", "-O", "echo.depth=2", "-o", out, "--no-upload", "--yes",
		"--public-ip-url", ipService(t), "--probe-cc", "IT", "--probe-asn", "30722", "--control", "https://th.example/")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, h.stderr.String())
	}
	ms := readResults(t, out)
	if len(ms) != 3 {
		t.Fatalf("%d measurements, want 3 (one target opted out, one repeated)", len(ms))
	}
	raw, _ := os.ReadFile(out)
	if strings.Contains(string(raw), plantedIP) || scrub.New(mustAddr(plantedIP)).Leaks(raw) != nil {
		t.Errorf("the public address survived:\n%s", raw)
	}
	var keys struct {
		Options map[string]string `json:"options"`
		Control string            `json:"control"`
		Body    string            `json:"body"`
	}
	json.Unmarshal(ms[0].TestKeys, &keys)
	if keys.Options["depth"] != "2" || keys.Control != "https://th.example/" || keys.Body != "Your IP is [scrubbed]" {
		t.Errorf("test keys %s", ms[0].TestKeys)
	}
	if ms[0].ProbeCC != "IT" || ms[0].ProbeASN != "AS30722" || !strings.Contains(ms[0].ReportID, "_echo_IT_30722_n1_") {
		t.Errorf("envelope %+v", ms[0])
	}
	stdout, stderr := h.stdout.String(), h.stderr.String()
	for _, want := range []string{"1 of 3 targets looked blocked", "https://blocked.example/ (dns)", "Results: " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	for _, want := range []string{"Left out 1 targets in categories you opted out of", "Nothing is uploaded (--no-upload)",
		"Your IP address is removed from every measurement (learned from: " + "http://127.0.0.1", "[3/3] echo"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// A second run of the same command measures nothing new.
	if code := h.run("run", "-t", "echo", "-i", "https://a.example/", "-o", out, "--no-upload"); code != 0 ||
		!strings.Contains(h.stdout.String(), "Skipped 1 measurements already in") || len(readResults(t, out)) != 3 {
		t.Errorf("re-run: exit %d\n%s", code, h.stdout.String())
	}
}

func TestRunOfflineWarnsWhenThePublicAddressIsUnknown(t *testing.T) {
	h := newHarness(t, nil)
	out := filepath.Join(h.dir, "r.jsonl")
	if code := h.run("run", "-t", "echo", "-i", "x", "-o", out, "--no-upload", "--yes", "--quiet"); code != 0 {
		t.Fatalf("exit %d %s", code, h.stderr.String())
	}
	if !strings.Contains(h.stderr.String(), "Warning: your public IP address is unknown") {
		t.Errorf("no warning:\n%s", h.stderr.String())
	}
}

func TestRunFailsWhenTheLookupFails(t *testing.T) {
	h := newHarness(t, nil)
	bad := httptest.NewServer(http.NotFoundHandler())
	defer bad.Close()
	out := filepath.Join(h.dir, "r.jsonl")
	code := h.run("run", "-t", "echo", "-i", "x", "-o", out, "--no-upload", "--yes", "--public-ip-url", bad.URL)
	if code != exitError || !strings.Contains(h.stderr.String(), "cannot remove it from measurements") {
		t.Fatalf("exit %d %s", code, h.stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("measured without knowing the address to remove")
	}
}

func TestRunWithCollector(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) {
		s.Token = "secret-token"
		s.CheckIn = probeapi.CheckInResponse{
			ProbeCC: "IT", ProbeASN: "AS30722", ProbeNetworkName: "Vodafone", ProbeIP: plantedIP,
			Tests: map[string]probeapi.CheckInTest{"echo": {URLs: []probeapi.CheckInTarget{
				{URL: "https://one.example/", CategoryCode: "NEWS"}, {URL: "https://two.example/", CategoryCode: "PORN"},
				{URL: "https://blocked.example/", CategoryCode: "HUMR"}}}},
			Conf: probeapi.CheckInConf{TestHelpers: map[string][]probeapi.TestHelper{
				"web-connectivity": {{Address: "https://th.example.org", Type: "https"}}}},
		}
	})
	h := newHarness(t, nil)
	out := filepath.Join(h.dir, "r.jsonl")
	code := h.run("run", "-t", "echo", "-o", out, "--collector", srv.URL, "--yes", "--categories-opt-out", "porn")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, h.stderr.String())
	}
	ms := readResults(t, out)
	if len(ms) != 2 || len(srv.Stored()) != 2 {
		t.Fatalf("%d written, %d stored; want the 2 targets of the check-in not opted out", len(ms), len(srv.Stored()))
	}
	for _, m := range srv.Stored() {
		if strings.Contains(string(m), plantedIP) {
			t.Errorf("uploaded with the address: %s", m)
		}
	}
	if ms[0].ProbeCC != "IT" || ms[0].ProbeNetworkName != "Vodafone" || !strings.HasPrefix(ms[0].ReportID, "20240101T000000Z_echo_IT_30722_n1_collector") {
		t.Errorf("envelope from the check-in: %+v", ms[0])
	}
	if !strings.Contains(string(ms[0].TestKeys), `"control":"https://th.example.org"`) {
		t.Errorf("control helper from the check-in not used: %s", ms[0].TestKeys)
	}
	if srv.Requests("register") != 1 || srv.Requests("open") != 1 || srv.Requests("close") != 1 {
		t.Errorf("register %d, open %d, close %d", srv.Requests("register"), srv.Requests("open"), srv.Requests("close"))
	}
	if !strings.Contains(h.stdout.String(), "Uploaded: 2 new, 0 already there, 0 refused") {
		t.Errorf("stdout:\n%s", h.stdout.String())
	}
	cf, _ := config.Load(filepath.Join(h.dir, "home"))
	if cf.Token != "secret-token" || cf.Collector != srv.URL {
		t.Errorf("config after registering: %+v", cf)
	}
	// A second run reuses the token.
	if code := h.run("run", "-t", "echo", "-i", "https://three.example/", "-o", out, "--collector", srv.URL); code != 0 ||
		srv.Requests("register") != 1 || len(srv.Stored()) != 3 {
		t.Errorf("second run: exit %d, %d registrations, %d stored\n%s", code, srv.Requests("register"), len(srv.Stored()), h.stderr.String())
	}
}

func TestUploadLater(t *testing.T) {
	srv := collectortest.New(t)
	h := newHarness(t, nil)
	out := filepath.Join(h.dir, "r.jsonl")
	// The collector is down during the run: measurements wait in the queue.
	srv.Set(func(s *collectortest.Server) { s.Fail503 = 1000 })
	code := h.run("run", "-t", "echo", "-i", "https://a.example/", "-i", "https://b.example/", "-o", out,
		"--collector", srv.URL, "--yes", "--quiet")
	if code != 0 || !strings.Contains(h.stdout.String(), "2 measurements wait in the upload queue") {
		t.Fatalf("exit %d\n%s\n%s", code, h.stdout.String(), h.stderr.String())
	}
	srv.Set(func(s *collectortest.Server) { s.Fail503 = 0 })
	if code := h.run("upload"); code != 0 || len(srv.Stored()) != 2 || !strings.Contains(h.stdout.String(), "Uploaded: 2 new") {
		t.Fatalf("upload: exit %d, stored %d\n%s%s", code, len(srv.Stored()), h.stdout.String(), h.stderr.String())
	}
	// A results file of a --no-upload run, queued and sent; what was sent
	// already is not sent again.
	local := filepath.Join(h.dir, "local.jsonl")
	if code := h.run("run", "-t", "echo", "-i", "https://c.example/", "-o", local, "--no-upload", "--quiet"); code != 0 {
		t.Fatal(h.stderr.String())
	}
	os.WriteFile(local, append(mustRead(t, local), append(mustRead(t, out), []byte("not json\n")...)...), 0o644)
	// Flags after the file, as volunteers type them.
	if code := h.run("upload", local, "--collector", srv.URL); code != 0 || len(srv.Stored()) != 3 ||
		!strings.Contains(h.stderr.String(), "queued 1 measurements (1 lines are not measurements") {
		t.Fatalf("upload FILE: exit %d, stored %d\n%s", code, len(srv.Stored()), h.stderr.String())
	}
	if len(srv.ResentAfterAck()) > 0 {
		t.Error("a measurement was sent again after it was acknowledged")
	}
}

func TestCtrlCStopsAndTheNextRunResumes(t *testing.T) {
	gate := &gateTest{started: make(chan string, 100), release: make(chan struct{})}
	h := newHarness(t, gate)
	out := filepath.Join(h.dir, "r.jsonl")
	args := []string{"run", "-t", "gate", "-o", out, "--no-upload", "--yes", "--parallel", "2"}
	for _, s := range []string{"a", "b", "c", "d", "e", "f"} {
		args = append(args, "-i", "https://"+s+".example/")
	}
	codec := make(chan int, 1)
	go func() { codec <- h.run(args...) }()
	<-gate.started
	<-gate.started
	h.signals <- syscall.SIGINT
	// Let the stop take effect before releasing the two in flight.
	for !strings.Contains(h.stderr.String(), "Stopping: finishing the measurements in progress") {
		<-gateTick()
	}
	close(gate.release)
	if code := <-codec; code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s", code, h.stderr.String())
	}
	if n := len(readResults(t, out)); n != 2 || !strings.Contains(h.stdout.String(), "Stopped after 2 of 6 measurements") {
		t.Fatalf("%d written after Ctrl-C\n%s", n, h.stdout.String())
	}
	if code := h.run(args...); code != 0 || len(readResults(t, out)) != 6 ||
		!strings.Contains(h.stdout.String(), "Skipped 2 measurements already in") {
		t.Fatalf("resume: exit %d, %d lines\n%s", code, len(readResults(t, out)), h.stdout.String())
	}
}

// TestCtrlCDuringFinalUploads: after the measurements, the probe waits for
// a failing collector, and Ctrl-C ends the wait; the measurements stay
// queued.
func TestCtrlCDuringFinalUploads(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.Fail503 = 1000 })
	h := newHarness(t, nil)
	h.app.backoff = upload.Backoff{Base: time.Hour, Max: time.Hour}
	out := filepath.Join(h.dir, "r.jsonl")
	codec := make(chan int, 1)
	go func() {
		codec <- h.run("run", "-t", "echo", "-i", "https://a.example/", "-o", out, "--collector", srv.URL, "--yes", "--quiet")
	}()
	for !strings.Contains(h.stderr.String(), "Uploading the 1 not sent yet (Ctrl-C to leave them") {
		<-gateTick()
	}
	h.signals <- syscall.SIGINT
	select {
	case code := <-codec:
		if code != 0 || !strings.Contains(h.stdout.String(), "1 measurements wait in the upload queue") {
			t.Fatalf("exit %d\n%s", code, h.stdout.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Ctrl-C did not end the final uploads")
	}
}
