package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
)

var update = flag.Bool("update", false, "rewrite the golden verdicts in testdata/golden")

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestGoldenVerdicts checks the verdict of every OONI measurement in the
// repository's testdata against testdata/golden (go test -update rewrites
// them; review the diff).
func TestGoldenVerdicts(t *testing.T) {
	a := Default()
	n := 0
	for _, row := range readIndex(t) {
		t.Run(filepath.Base(row.path), func(t *testing.T) {
			var got []byte
			m, err := readMeasurement(t, row.path)
			if err != nil {
				got = []byte(mustJSON(map[string]string{"error": err.Error()}))
			} else {
				got, _ = json.Marshal(a.Analyze(m))
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(row.path, ".json")+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(want, pretty.Bytes()) {
				t.Errorf("verdict changed (go test -update rewrites it; review the diff):\n got: %s\nwant: %s", pretty.Bytes(), want)
			}
		})
		n++
	}
	if n < 100 {
		t.Fatalf("%d measurements checked, want at least 100", n)
	}
}

// TestAnalyzeIsDeterministic: the same measurement gives the same verdict.
func TestAnalyzeIsDeterministic(t *testing.T) {
	a := Default()
	for _, row := range readIndex(t) {
		m, err := readMeasurement(t, row.path)
		if err != nil {
			continue
		}
		first := mustJSON(a.Analyze(m))
		for i := 0; i < 3; i++ {
			if again := mustJSON(a.Analyze(m)); again != first {
				t.Fatalf("%s: verdict differs between runs:\n%s\n%s", row.path, first, again)
			}
		}
	}
}

// TestConcurrentAnalyze: one Analyzer serves many goroutines (the
// collector's loader); run with -race.
func TestConcurrentAnalyze(t *testing.T) {
	a := Default()
	var ms []*measurement.Measurement
	var want []string
	for _, row := range readIndex(t)[:40] {
		if m, err := readMeasurement(t, row.path); err == nil {
			ms = append(ms, m)
			want = append(want, mustJSON(a.Analyze(m)))
		}
	}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i, m := range ms {
				if got := mustJSON(a.Analyze(m)); got != want[i] {
					done <- errors.New(m.ReportID + ": verdict differs under concurrency")
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
