package loadgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/sonde-project/sonde/internal/canonjson"
	"github.com/sonde-project/sonde/internal/measurement"
)

// CorpusFiles are the real OONI measurements, under
// testdata/ooni/backend-fastpath, that a Corpus is made of.
// web_connectivity files are listed twice: most real measurements are
// web_connectivity.
var CorpusFiles = []string{
	"20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json", "bug_351.json", "bug_352.json",
	"report1.json", "report1blocked.json", "report2.json", "report2blocked.json", "requests_none.json",
	"web_connectivity_b64_hdr.json", "web_connectivity_b64_incorrect.json", "web_connectivity_ir_fp.json",
	"web_connectivity_no_body.json", "web_connectivity_null.json", "web_connectivity_null2.json", "web_connectivity_odd_hdr.json",
	"20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json", "bug_351.json", "bug_352.json",
	"report1.json", "report1blocked.json", "report2.json", "report2blocked.json", "requests_none.json",
	"web_connectivity_b64_hdr.json", "web_connectivity_b64_incorrect.json", "web_connectivity_ir_fp.json",
	"web_connectivity_no_body.json", "web_connectivity_null.json", "web_connectivity_null2.json", "web_connectivity_odd_hdr.json",
	"signal_2627.json", "telegram_nourl.json", "whatsapp.json", "tor.json", "riseupvpn.json", "openvpn.json",
	"http_header_field_manipulation_3.json", "torsf_1.json", "vanilla_tor_ok.json",
}

// The envelope fields each measurement gets its own value of.
const (
	fInput = iota
	fStart
	fTest
	fReport
	nFields
)

var fieldNames = [nFields]string{"input", "measurement_start_time", "test_start_time", "report_id"}

// Corpus makes realistic measurements from templates: real OONI
// measurements, each made unique by its input, start time and report id.
// It is safe for concurrent use.
type Corpus struct {
	templates []template
}

// template is a measurement, compact but with its keys in the order the
// probe wrote them (as a probe uploads it: the collector's door has the
// sorting to do), cut where the fields of each measurement go.
type template struct {
	parts  [nFields + 1][]byte // parts[j] comes before field order[j]
	order  [nFields]int
	length int
}

// LoadCorpus reads CorpusFiles from dir (a checkout's
// testdata/ooni/backend-fastpath). Missing files are skipped; fewer than
// ten templates is an error.
func LoadCorpus(dir string) (*Corpus, error) {
	c := &Corpus{}
	for _, name := range CorpusFiles {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		t, err := newTemplate(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		c.templates = append(c.templates, t)
	}
	if len(c.templates) < 10 {
		return nil, fmt.Errorf("loadgen: only %d measurement templates found in %s", len(c.templates), dir)
	}
	return c, nil
}

// newTemplate compacts a measurement (an archived file may be indented),
// drops its measurement_uid and cuts it where the per-measurement fields
// go; a field it lacks is added at the end.
func newTemplate(raw []byte) (template, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return template{}, err
	}
	var t template
	cur := []byte("{")
	var seen [nFields]bool
	n, first := 0, true
	cut := func(f int) {
		t.parts[n], t.order[n], seen[f] = cur, f, true
		n++
		cur = nil
	}
	member := func(k []byte) { // k as written, escapes and all
		if !first {
			cur = append(cur, ',')
		}
		first = false
		cur = append(append(append(cur, '"'), k...), `":`...)
	}
	if err := canonjson.Members(compact.Bytes(), func(k, v []byte) error {
		f := slices.Index(fieldNames[:], string(k))
		switch {
		case string(k) == "measurement_uid":
			return nil
		case f < 0:
			member(k)
			cur = append(cur, v...)
		case seen[f]:
			return fmt.Errorf("%s given twice", k)
		default:
			member(k)
			cut(f)
		}
		return nil
	}); err != nil {
		return template{}, err
	}
	for f := range nFields {
		if !seen[f] {
			member([]byte(fieldNames[f]))
			cut(f)
		}
	}
	t.parts[nFields] = append(cur, '}')
	for _, p := range t.parts {
		t.length += len(p)
	}
	return t, nil
}

// Measurement returns measurement i (different for every i) starting at
// at, in a report of its own.
func (c *Corpus) Measurement(i int, at time.Time) []byte {
	return c.AppendMeasurement(nil, i, at, "")
}

// MeasurementIn returns measurement i starting at at, in report reportID.
func (c *Corpus) MeasurementIn(i int, at time.Time, reportID string) []byte {
	return c.AppendMeasurement(nil, i, at, reportID)
}

// AppendMeasurement appends measurement i starting at at, in report
// reportID ("": a report of its own), to dst.
func (c *Corpus) AppendMeasurement(dst []byte, i int, at time.Time, reportID string) []byte {
	t := &c.templates[i%len(c.templates)]
	dst = slices.Grow(dst, c.MaxLen(i))
	var num [32]byte
	for j, f := range t.order {
		dst = append(append(dst, t.parts[j]...), '"')
		switch f {
		case fInput:
			dst = append(append(append(dst, "https://www.site"...), strconv.AppendInt(num[:0], int64(i), 10)...), ".example/page"...)
		case fStart:
			dst = at.UTC().AppendFormat(dst, measurement.TimeFormat)
		case fTest:
			dst = at.Add(-time.Second).UTC().AppendFormat(dst, measurement.TimeFormat)
		case fReport:
			if reportID != "" {
				dst = canonjson.AppendString(dst[:len(dst)-1], []byte(reportID))
				continue
			}
			// The report of its own: 100 measurements to a report.
			dst = at.UTC().AppendFormat(dst, "20060102T150405Z")
			dst = append(dst, "_webconnectivity_IT_30722_n1_bench"...)
			n := strconv.AppendInt(num[:0], int64(i/100), 10)
			for range 11 - len(n) {
				dst = append(dst, '0')
			}
			dst = append(dst, n...)
		}
		dst = append(dst, '"')
	}
	return append(dst, t.parts[nFields]...)
}

// MaxLen bounds the length of measurement i (with a report id of up to
// 128 bytes).
func (c *Corpus) MaxLen(i int) int {
	return c.templates[i%len(c.templates)].length + 256
}

// Size is the mean size of the templates in bytes.
func (c *Corpus) Size() int {
	n := 0
	for _, t := range c.templates {
		n += t.length
	}
	return n / len(c.templates)
}
