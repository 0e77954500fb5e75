package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/probe/nettest"
)

// TestStopThenResume stops a run the way Ctrl-C does, checks that the
// measurements in flight were finished and written, then re-runs and checks
// that every pair is measured exactly once in all.
func TestStopThenResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	g := newGate("web_connectivity")
	ctx, cancel := context.WithCancel(context.Background())
	type ret struct {
		s   *Summary
		err error
	}
	rc := make(chan ret, 1)
	go func() {
		s, err := Run(ctx, Config{Tests: []nettest.Measurer{g, echo("dns", nil)}, Targets: urls(20),
			Output: out, Parallel: 4})
		rc <- ret{s, err}
	}()
	// Let some measurements start, then stop the run while gate holds
	// them: they must finish (not be cancelled) and be written.
	<-g.started
	<-g.started
	cancel()
	time.Sleep(20 * time.Millisecond)
	close(g.release)
	r := <-rc
	if r.err != nil {
		t.Fatal(r.err)
	}
	s := r.s
	if !s.Interrupted || s.NotStarted == 0 || s.Written == 0 || s.Written+s.NotStarted != 40 {
		t.Fatalf("summary after stop: %+v", s)
	}
	first := readLines(t, out)
	if len(first) != s.Written {
		t.Fatalf("%d lines, summary says %d written", len(first), s.Written)
	}
	for _, m := range first {
		if strings.Contains(string(m.TestKeys), "interrupted") {
			t.Errorf("a measurement in flight was cancelled by the stop: %s", m.TestKeys)
		}
	}

	g2 := newGate("web_connectivity")
	close(g2.release)
	s2, err := Run(context.Background(), Config{Tests: []nettest.Measurer{g2, echo("dns", nil)},
		Targets: urls(20), Output: out, Parallel: 4})
	if err != nil {
		t.Fatal(err)
	}
	if s2.AlreadyDone != s.Written || s2.Written != 40-s.Written || s2.Interrupted {
		t.Fatalf("resume summary: %+v (first run wrote %d)", s2, s.Written)
	}
	all := readLines(t, out)
	count := map[string]int{}
	for _, m := range all {
		count[m.TestName+" "+string(m.Input)]++
	}
	if len(all) != 40 || len(count) != 40 {
		t.Fatalf("%d lines, %d distinct pairs; want 40 and 40", len(all), len(count))
	}
}

func TestAbortCancelsMeasurementsInFlight(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	g := newGate("http")
	ctx, cancel := context.WithCancel(context.Background())
	abort, abortNow := context.WithCancel(context.Background())
	done := make(chan *Summary, 1)
	go func() {
		s, _ := Run(ctx, Config{Tests: []nettest.Measurer{g}, Targets: urls(10), Output: out,
			Parallel: 2, Abort: abort})
		done <- s
	}()
	<-g.started
	<-g.started
	cancel()
	abortNow() // the second Ctrl-C
	s := <-done
	if s.Written != 2 || s.NotStarted != 8 || s.Failures["interrupted"] != 2 {
		t.Fatalf("summary %+v", s)
	}
}

func TestResumeCutsATornLastLine(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	if _, err := Run(context.Background(), Config{Tests: []nettest.Measurer{echo("dns", nil)},
		Targets: urls(3), Output: out}); err != nil {
		t.Fatal(err)
	}
	full, _ := os.ReadFile(out)
	lines := strings.SplitAfter(string(full), "\n")
	// A crash in the middle of writing the third line.
	torn := lines[0] + lines[1] + lines[2][:len(lines[2])/2]
	if err := os.WriteFile(out, []byte(torn), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := OpenResults(out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Torn != int64(len(lines[2])/2) || res.Len() != 2 {
		t.Errorf("Torn %d, Len %d", res.Torn, res.Len())
	}
	res.Close()
	s, err := Run(context.Background(), Config{Tests: []nettest.Measurer{echo("dns", nil)},
		Targets: urls(3), Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if s.AlreadyDone != 2 || s.Written != 1 {
		t.Errorf("summary %+v", s)
	}
	if n := len(readLines(t, out)); n != 3 {
		t.Errorf("%d lines after resume", n)
	}
}

func TestResumeKeepsUnreadableLines(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	junk := "not json\n{\"no_test_name\":1}\n\n"
	if err := os.WriteFile(out, []byte(junk), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := OpenResults(out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unreadable != 2 || res.Len() != 0 || res.Torn != 0 {
		t.Errorf("Unreadable %d Len %d Torn %d", res.Unreadable, res.Len(), res.Torn)
	}
	if err := res.Append([]byte(`{"test_name":"dns","input":"x"}`)); err != nil {
		t.Fatal(err)
	}
	res.Close()
	b, _ := os.ReadFile(out)
	if string(b) != junk+`{"test_name":"dns","input":"x"}`+"\n" {
		t.Errorf("file now %q", b)
	}
}

func TestResumeRefusesAFileThatIsNotResults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	if err := os.WriteFile(out, make([]byte, MaxLineBytes+10), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenResults(out)
	if err == nil || !strings.Contains(err.Error(), "is this a results file?") {
		t.Fatalf("err = %v", err)
	}
	if fi, _ := os.Stat(out); fi.Size() != MaxLineBytes+10 {
		t.Errorf("the file was changed: %d bytes", fi.Size())
	}
}

// TestWriteErrorStopsTheRun: when the results file cannot be written (a
// full disk), the run stops handing out work and returns the error; what
// was not written is not counted as measured.
func TestWriteErrorStopsTheRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	res, err := OpenResults(out)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Tests: []nettest.Measurer{echo("dns", nil)}, Targets: urls(50), Output: out, Parallel: 1}
	calls := 0
	cfg.Written = func([]byte) error {
		calls++
		if calls == 3 {
			res.f.Close() // the next append fails
		}
		return nil
	}
	r := newRun(&cfg, res)
	s, err := r.run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "writing ") {
		t.Fatalf("err = %v", err)
	}
	if s.Written < 3 || s.Written != calls || s.Written+s.NotStarted >= 50 {
		t.Errorf("summary %+v, Written called %d times", s, calls)
	}
	if n := len(readLines(t, out)); n != s.Written {
		t.Errorf("%d lines, %d counted as written", n, s.Written)
	}
}

// TestWrittenSeesTheLineOnDisk: the upload queue gets a measurement only
// once it is safely in the results file.
func TestWrittenSeesTheLineOnDisk(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	var missing []string
	_, err := Run(context.Background(), Config{Tests: []nettest.Measurer{echo("dns", nil)}, Targets: urls(20),
		Output: out, Parallel: 8, Written: func(line []byte) error {
			b, err := os.ReadFile(out)
			if err != nil || !strings.Contains(string(b), string(line)+"\n") {
				missing = append(missing, string(line))
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%d measurements handed on before they were in the file", len(missing))
	}
}

func FuzzOpenResults(f *testing.F) {
	f.Add([]byte(`{"test_name":"dns","input":"a"}` + "\n" + `{"test_name":"dns","inp`))
	f.Add([]byte("garbage\n\n{\"test_name\":\"x\",\"input\":null}\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "r.jsonl")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := OpenResults(path)
		if err != nil {
			t.Fatal(err)
		}
		res.Close()
		after, _ := os.ReadFile(path)
		if len(after) > 0 && after[len(after)-1] != '\n' {
			t.Fatalf("file does not end with a newline after opening: %q", after)
		}
		if !strings.HasPrefix(string(b), string(after)) || int64(len(b)-len(after)) != res.Torn {
			t.Fatalf("opening changed more than the torn line: %q -> %q (Torn %d)", b, after, res.Torn)
		}
	})
}
