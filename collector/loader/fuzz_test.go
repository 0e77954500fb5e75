package loader

import (
	"testing"
	"time"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/internal/measurement"
)

// FuzzExtract feeds arbitrary spool records (a damaged disk, a spool
// written by another version) to the loader's extraction and analysis:
// never a panic, and a record that is not a measurement with a uid is
// refused rather than turned into rows.
func FuzzExtract(f *testing.F) {
	f.Add(EncodeRecord(time.Unix(1748388668, 0), []byte(`{"measurement_uid":"20250527233108.000001_IT_webconnectivity_0000000000000001","test_name":"web_connectivity","measurement_start_time":"2025-05-27 23:31:08","probe_cc":"IT","input":"http://a.example/","test_keys":{"queries":[{"hostname":"a.example","answers":[{"answer_type":"A","ipv4":"10.0.0.1"}]}],"requests":[{"request":{"url":"http://a.example/"},"response":{"code":200,"body":"<title>x</title>"}}],"control":{"dns":{"addrs":["10.0.0.1"]}}}}`)))
	f.Add(EncodeRecord(time.Unix(0, 0), []byte(`{"test_name":"dns","measurement_start_time":"2025-05-27 23:31:08"}`)))
	f.Add([]byte{1, 2, 3})
	f.Add(EncodeRecord(time.Unix(1, 0), []byte(`{"measurement_uid":"x","test_name":"whatsapp","measurement_start_time":"2025-05-27 23:31:08","test_keys":{"tcp_connect":[{"ip":"1.2.3.4","port":443,"status":{"success":false,"failure":"connection_reset"}}]}}`)))
	l := New(nil, nil, Config{AnalyzeWithSteps: analysis.AnalyzeWithSteps})
	f.Fuzz(func(t *testing.T, rec []byte) {
		e := l.extract(rec, time.Unix(1748388668, 0))
		if e.err != nil {
			return
		}
		if e.m == nil || e.m.MeasurementUID == "" || e.row.MeasurementUID != e.m.MeasurementUID {
			t.Fatalf("rows without a uid from %q", rec)
		}
		if _, err := measurement.Parse(rec[8:]); err != nil {
			t.Fatalf("rows from a record that is not a measurement (%v): %q", err, rec)
		}
		for _, o := range e.obs {
			if o.MeasurementUID != e.m.MeasurementUID {
				t.Fatalf("an observation of another measurement")
			}
		}
	})
}
