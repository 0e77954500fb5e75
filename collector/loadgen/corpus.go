package loadgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

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

// Placeholders replaced in each template.
const (
	phInput  = "__SONDE_INPUT__"
	phStart  = "__SONDE_START__"
	phTest   = "__SONDE_TEST__"
	phReport = "__SONDE_REPORT__"
)

// Corpus makes realistic measurements from templates: real OONI
// measurements, each made unique by its input, start time and report id.
// It is safe for concurrent use.
type Corpus struct {
	templates [][]byte
	names     []string
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
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		delete(doc, "measurement_uid")
		doc["input"] = phInput
		doc["measurement_start_time"] = phStart
		doc["test_start_time"] = phTest
		doc["report_id"] = phReport
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		c.templates = append(c.templates, b)
		c.names = append(c.names, name)
	}
	if len(c.templates) < 10 {
		return nil, fmt.Errorf("loadgen: only %d measurement templates found in %s", len(c.templates), dir)
	}
	return c, nil
}

// Measurement returns measurement i (different for every i) starting at
// at, in a report of its own.
func (c *Corpus) Measurement(i int, at time.Time) []byte {
	report := fmt.Sprintf("%s_webconnectivity_IT_30722_n1_bench%011d", at.UTC().Format("20060102T150405Z"), i/100)
	return c.MeasurementIn(i, at, report)
}

// MeasurementIn returns measurement i starting at at, in report reportID.
func (c *Corpus) MeasurementIn(i int, at time.Time, reportID string) []byte {
	tmpl := c.templates[i%len(c.templates)]
	out := make([]byte, 0, len(tmpl)+128)
	// In the order of the keys: json.Marshal sorted them.
	for _, r := range []struct{ ph, val string }{
		{phInput, "https://www.site" + strconv.Itoa(i) + ".example/page"},
		{phStart, measurement.FormatTime(at)},
		{phReport, reportID},
		{phTest, measurement.FormatTime(at.Add(-time.Second))},
	} {
		j := bytes.Index(tmpl, []byte(r.ph))
		if j < 0 {
			panic("loadgen: template " + c.names[i%len(c.names)] + " lost its placeholders")
		}
		out = append(append(out, tmpl[:j]...), r.val...)
		tmpl = tmpl[j+len(r.ph):]
	}
	return append(out, tmpl...)
}

// Size is the mean size of the templates in bytes.
func (c *Corpus) Size() int {
	n := 0
	for _, t := range c.templates {
		n += len(t)
	}
	return n / len(c.templates)
}
