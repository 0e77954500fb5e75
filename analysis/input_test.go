package analysis

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type readResult struct {
	uids  []string
	lines []int
	bad   []string
}

func readAll(t *testing.T, in, name string) readResult {
	t.Helper()
	r := NewReader(strings.NewReader(in), name)
	var res readResult
	for i := 0; i < 1000; i++ {
		m, line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return res
		}
		var rec *RecordError
		if errors.As(err, &rec) {
			res.bad = append(res.bad, rec.Error())
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		res.uids = append(res.uids, m.ReportID+m.MeasurementUID)
		res.lines = append(res.lines, line)
	}
	t.Fatal("reader does not end")
	return res
}

const line1 = `{"report_id":"a","test_name":"dns","measurement_start_time":"2024-01-02 03:04:05","test_keys":{}}`
const line3 = `{"report_id":"c","test_name":"dns","measurement_start_time":"2024-01-02 03:04:05","test_keys":{}}`

func TestReaderJSONLines(t *testing.T) {
	res := readAll(t, line1+"\n{\"broken\n\n"+line3+"\n", "m.jsonl")
	if strings.Join(res.uids, ",") != "a,c" || res.lines[0] != 1 || res.lines[1] != 4 {
		t.Fatalf("%+v", res)
	}
	if len(res.bad) != 1 || !strings.HasPrefix(res.bad[0], "m.jsonl:2: ") {
		t.Fatalf("bad lines: %q", res.bad)
	}
}

func TestReaderBadFirstLineKeepsTheRest(t *testing.T) {
	res := readAll(t, "not json\n"+line1+"\n"+line3, "m.jsonl")
	if strings.Join(res.uids, ",") != "a,c" || len(res.bad) != 1 || !strings.HasPrefix(res.bad[0], "m.jsonl:1: ") {
		t.Fatalf("%+v", res)
	}
}

func TestReaderEmptyAndBlank(t *testing.T) {
	for _, in := range []string{"", "\n\n  \n"} {
		if res := readAll(t, in, "e"); len(res.uids)+len(res.bad) != 0 {
			t.Fatalf("%q: %+v", in, res)
		}
	}
}

func TestReaderRealFiles(t *testing.T) {
	for _, c := range []struct{ path, uid string }{
		// a pretty-printed measurement, one per file
		{"backend-fastpath/bug_352.json", "20200302T130853Z_AS197207_WIN8WWfSysccyZSG06Z5AaMJjSzrvxaq7UOiTnasi52k9D77T3"},
		// a recorded OONI API measurement_meta answer: the uid comes from the meta
		{"explorer/measurement_meta/measurement_meta__measurement_uid-0120200303c6ba9056fe7973cc6b51d15e2ebe18_full-true.json",
			"20200303T073101Z_AS6830_ritWNm1FDBJJCm0SzcLhucF1wrRJM5zQVVssPXwxhwRitw949v0120200303c6ba9056fe7973cc6b51d15e2ebe18"},
	} {
		b, err := os.ReadFile(filepath.Join(ooniDir, c.path))
		if err != nil {
			t.Fatal(err)
		}
		res := readAll(t, string(b), c.path)
		if len(res.uids) != 1 || res.uids[0] != c.uid || len(res.bad) != 0 {
			t.Fatalf("%s: %+v", c.path, res)
		}
	}
}

func TestParseRecordWrappers(t *testing.T) {
	for name, c := range map[string]struct{ in, uid, err string }{
		"fastpath envelope":   {`{"format":"json","content":` + line1 + `}`, "a", ""},
		"meta, raw as object": {`{"measurement_uid":"u1","raw_measurement":` + line1 + `}`, "au1", ""},
		"meta, raw as text":   {`{"measurement_uid":"u2","raw_measurement":` + mustJSON(line1) + `}`, "au2", ""},
		"meta without raw":    {`{"measurement_uid":"u3","raw_measurement":null}`, "", "full=true"},
		"yaml envelope":       {`{"format":"yaml","content":"---"}`, "", `"yaml" format`},
		"failed API answer":   {`{"status":404,"body":"{}"}`, "", "status 404"},
		"not an object":       {`[1,2]`, "", "measurement"},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := ParseRecord([]byte(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want an error with %q", err, c.err)
				}
				return
			}
			if err != nil || m.ReportID+m.MeasurementUID != c.uid {
				t.Fatalf("%v %+v", err, m)
			}
		})
	}
}

func TestReaderTooLargeLine(t *testing.T) {
	big := `{"x":"` + strings.Repeat("a", MaxRecordSize) + `"}`
	res := readAll(t, line1+"\n"+big+"\n"+line3+"\n", "big.jsonl")
	if strings.Join(res.uids, ",") != "a,c" || len(res.bad) != 1 || !strings.Contains(res.bad[0], "big.jsonl:2: record larger") {
		t.Fatalf("%+v", res.bad)
	}
}
