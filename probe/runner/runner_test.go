package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/version"
	"github.com/sonde-project/sonde/probe/nettest"
)

// readLines returns the measurements of a results file, failing the test
// on any line that is not one.
func readLines(t *testing.T, path string) []*measurement.Measurement {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s does not end with a newline", path)
	}
	var out []*measurement.Measurement
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		m, err := measurement.Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v: %s", len(out)+1, err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

func TestRunWritesOONIMeasurements(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	blocked := map[string]string{"https://site3.example/": "dns"}
	start := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	s, err := Run(context.Background(), Config{
		Tests:    []nettest.Measurer{echo("web_connectivity", blocked), echo("dns", nil)},
		Targets:  urls(5),
		Output:   out,
		Parallel: 3,
		Envelope: Envelope{ProbeCC: "IT", ProbeASN: "AS30722", ProbeNetworkName: "Vodafone Italia",
			ReportIDs: map[string]string{"dns": "20240506T070809Z_dns_IT_30722_n1_collectorgiven01"}},
		Now: func() time.Time { return start },
	})
	if err != nil {
		t.Fatal(err)
	}
	ms := readLines(t, out)
	if len(ms) != 10 || s.Written != 10 || s.Planned != 10 || s.Targets != 5 || s.Interrupted {
		t.Fatalf("%d lines, summary %+v", len(ms), s)
	}
	reportRE := regexp.MustCompile(`^20240506T070809Z_webconnectivity_IT_30722_n1_[A-Za-z0-9]{16}$`)
	seen := map[string]bool{}
	for _, m := range ms {
		seen[m.TestName+" "+string(m.Input)] = true
		if m.ProbeIP != "127.0.0.1" || m.ProbeCC != "IT" || m.ProbeASN != "AS30722" ||
			m.ProbeNetworkName != "Vodafone Italia" || m.DataFormatVersion != "0.2.0" ||
			m.SoftwareName != version.Name || m.TestVersion != "0.1.0" ||
			m.MeasurementStartTime != "2024-05-06 07:08:09" || m.TestStartTime != "2024-05-06 07:08:09" {
			t.Errorf("envelope: %+v", m)
		}
		if m.Annotations["architecture"] != runtime.GOARCH || m.Annotations["engine_name"] != "sonde" {
			t.Errorf("annotations: %v", m.Annotations)
		}
		switch m.TestName {
		case "dns":
			if m.ReportID != "20240506T070809Z_dns_IT_30722_n1_collectorgiven01" {
				t.Errorf("dns report id %q: want the collector's", m.ReportID)
			}
		default:
			if !reportRE.MatchString(m.ReportID) {
				t.Errorf("local report id %q", m.ReportID)
			}
		}
		var k echoKeys
		if err := json.Unmarshal(m.TestKeys, &k); err != nil || k.Input != string(m.Input) {
			t.Errorf("test keys %s (%v)", m.TestKeys, err)
		}
	}
	if len(seen) != 10 {
		t.Errorf("pairs measured: %v", seen)
	}
	if got := s.Blocked["https://site3.example/"]; len(got) != 1 || got[0] != "dns" ||
		len(s.Blocked) != 1 || s.NotBlocked != 9 || s.Failures["connection_reset"] != 1 {
		t.Errorf("summary blocking: %+v", s)
	}
}

func TestRunDefaultsUnknownLocation(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	if _, err := Run(context.Background(), Config{Tests: []nettest.Measurer{echo("http", nil)},
		Targets: urls(1), Output: out}); err != nil {
		t.Fatal(err)
	}
	m := readLines(t, out)[0]
	if m.ProbeCC != "ZZ" || m.ProbeASN != "AS0" || !strings.Contains(m.ReportID, "_http_ZZ_0_n1_") {
		t.Errorf("unknown location: cc %q asn %q report %q", m.ProbeCC, m.ProbeASN, m.ReportID)
	}
}

func TestRunRejectsEmptyRuns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	if _, err := Run(context.Background(), Config{Targets: urls(1), Output: out}); err != ErrNoTests {
		t.Errorf("no tests: %v", err)
	}
	if _, err := Run(context.Background(), Config{Tests: []nettest.Measurer{echo("x", nil)}, Output: out}); err != ErrNoTargets {
		t.Errorf("no targets: %v", err)
	}
	_, err := Run(context.Background(), Config{Tests: []nettest.Measurer{echo("x", nil)}, Targets: urls(1),
		Output: filepath.Join(t.TempDir(), "missing-dir", "r.jsonl")})
	if err == nil || !strings.HasPrefix(err.Error(), "results file: ") {
		t.Errorf("unwritable output: %v", err)
	}
}

func TestRunBoundsConcurrency(t *testing.T) {
	for _, parallel := range []int{1, 3, 8} {
		g := newGate("tcpconnect")
		out := filepath.Join(t.TempDir(), "r.jsonl")
		errc := make(chan error, 1)
		go func() {
			_, err := Run(context.Background(), Config{Tests: []nettest.Measurer{g}, Targets: urls(40),
				Output: out, Parallel: parallel})
			errc <- err
		}()
		// Wait until the runner has `parallel` measurements in flight,
		// then release them all.
		for range parallel {
			<-g.started
		}
		time.Sleep(20 * time.Millisecond) // room for an extra one to start, if the bound were broken
		close(g.release)
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if got := g.maxSeen.Load(); got != int32(parallel) {
			t.Errorf("parallel %d: up to %d measurements ran at once", parallel, got)
		}
		if n := len(readLines(t, out)); n != 40 {
			t.Errorf("parallel %d: %d lines", parallel, n)
		}
	}
}

func TestRunGivesEachMeasurementItsDeadlines(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	var gotStep time.Duration
	var gotLeft time.Duration
	m := &funcMeasurer{name: "http", fn: func(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
		gotStep = env.Timeout()
		dl, _ := ctx.Deadline()
		gotLeft = time.Until(dl)
		<-ctx.Done() // a test that hangs until its deadline
		return &nettest.Result{TestKeys: map[string]string{}, Failure: "generic_timeout_error"}, nil
	}}
	s, err := Run(context.Background(), Config{Tests: []nettest.Measurer{m}, Targets: urls(1), Output: out,
		Env: nettest.Env{StepTimeout: 2 * time.Second}, MeasurementTimeout: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if gotStep != 2*time.Second || gotLeft <= 0 || gotLeft > 150*time.Millisecond {
		t.Errorf("step timeout %v, measurement deadline in %v", gotStep, gotLeft)
	}
	if s.Written != 1 || s.Failures["generic_timeout_error"] != 1 || s.Undecided != 1 {
		t.Errorf("summary %+v", s)
	}
	if rt := readLines(t, out)[0].TestRuntime; rt < 0.1 {
		t.Errorf("test_runtime %v, want about 0.15", rt)
	}
}

func TestRunCountsWhatCouldNotRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	tests := []nettest.Measurer{
		&funcMeasurer{name: "failing", fn: func(context.Context, *nettest.Env, string) (*nettest.Result, error) {
			return nil, errCannot
		}},
		&funcMeasurer{name: "panicking", fn: func(context.Context, *nettest.Env, string) (*nettest.Result, error) {
			panic("index out of range")
		}},
		&funcMeasurer{name: "badkeys", fn: func(context.Context, *nettest.Env, string) (*nettest.Result, error) {
			return &nettest.Result{TestKeys: []int{1}}, nil
		}},
		&funcMeasurer{name: "nilresult", fn: func(context.Context, *nettest.Env, string) (*nettest.Result, error) {
			return nil, nil
		}},
		echo("good", nil),
	}
	s, err := Run(context.Background(), Config{Tests: tests, Targets: urls(2), Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if s.CouldNotRun != 8 || s.Written != 2 || len(s.Problems) != 8 {
		t.Fatalf("summary %+v", s)
	}
	errs := map[string]string{}
	for _, p := range s.Problems {
		errs[p.Test] = p.Err
	}
	want := map[string]string{
		"failing":   "input is not a URL",
		"panicking": "the panicking test crashed: index out of range",
		"badkeys":   "test keys are not a JSON object",
		"nilresult": "the nilresult test returned no result",
	}
	for test, w := range want {
		if errs[test] != w {
			t.Errorf("%s: %q, want %q", test, errs[test], w)
		}
	}
	if n := len(readLines(t, out)); n != 2 {
		t.Errorf("%d lines written, want only the 2 good ones", n)
	}
	// A re-run tries what could not run, and only that.
	s, err = Run(context.Background(), Config{Tests: tests, Targets: urls(2), Output: out})
	if err != nil || s.AlreadyDone != 2 || s.Planned != 8 {
		t.Fatalf("re-run: %+v, %v", s, err)
	}
}

func TestRunGivesEachTestItsOptions(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	got := map[string]string{}
	var mu sync.Mutex
	mk := func(name string) nettest.Measurer {
		return &funcMeasurer{name: name, fn: func(_ context.Context, env *nettest.Env, _ string) (*nettest.Result, error) {
			mu.Lock()
			got[name] = fmt.Sprint(env.Options)
			mu.Unlock()
			return &nettest.Result{TestKeys: map[string]string{}}, nil
		}}
	}
	_, err := Run(context.Background(), Config{Tests: []nettest.Measurer{mk("tls"), mk("dns")}, Targets: urls(1),
		Output: out, Env: nettest.Env{Options: map[string]string{"shared": "1"}},
		TestOptions: map[string]map[string]string{"tls": {"sni": "example.org"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got["tls"] != "map[sni:example.org]" || got["dns"] != "map[shared:1]" {
		t.Errorf("options seen: %v", got)
	}
}

func TestSoftwareVersionIsNeverEmpty(t *testing.T) {
	saved := version.Version
	version.Version = "" // what make build passes when its VERSION is empty
	defer func() { version.Version = saved }()
	out := filepath.Join(t.TempDir(), "r.jsonl")
	if _, err := Run(context.Background(), Config{Tests: []nettest.Measurer{echo("dns", nil)}, Targets: urls(1), Output: out}); err != nil {
		t.Fatal(err)
	}
	if m := readLines(t, out)[0]; m.SoftwareVersion != "dev" || m.Annotations["engine_version"] != "dev" {
		t.Errorf("software_version %q, engine_version %q", m.SoftwareVersion, m.Annotations["engine_version"])
	}
}
