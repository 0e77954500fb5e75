package analysis

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
)

// TestAnalyzeWithStepsIsAnalyzeAndDecodeSteps: on every OONI measurement
// of the golden set, the verdict is Analyze's and the steps are
// DecodeSteps'; and test keys that spell a step list in another case
// fall back to DecodeSteps.
func TestAnalyzeWithStepsIsAnalyzeAndDecodeSteps(t *testing.T) {
	a := Default()
	n := 0
	for _, row := range readIndex(t) {
		m, err := readMeasurement(t, row.path)
		if err != nil {
			continue
		}
		v, steps := a.AnalyzeWithSteps(m)
		want, _ := measurement.DecodeSteps(m.TestKeys)
		if !reflect.DeepEqual(v, a.Analyze(m)) {
			t.Errorf("%s: the verdict differs from Analyze's", filepath.Base(row.path))
		}
		if !reflect.DeepEqual(steps, want) {
			t.Errorf("%s: the steps differ from DecodeSteps'", filepath.Base(row.path))
		}
		n++
	}
	if n < 50 {
		t.Fatalf("only %d measurements checked", n)
	}
	m := &measurement.Measurement{TestName: "web_connectivity", MeasurementStartTime: "2025-01-01 00:00:00",
		TestKeys: []byte(`{"Queries":[{"hostname":"a.example","answers":[{"answer_type":"A","ipv4":"10.0.0.1"}]}],"control":{}}`)}
	if _, steps := a.AnalyzeWithSteps(m); len(steps.Queries) != 0 {
		t.Errorf("\"Queries\" read as queries: %+v", steps.Queries)
	}
}
