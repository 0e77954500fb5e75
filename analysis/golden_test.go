package analysis

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
