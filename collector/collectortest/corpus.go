// Package collectortest makes realistic measurements for the collector's
// tests and benchmarks: real OONI measurements from the repository's
// testdata (web_connectivity most of all, as in OONI's corpus, and the
// IM, circumvention and middlebox tests), each made unique by its input,
// start time and report id.
package collectortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
)

// corpusFiles are under testdata/ooni/backend-fastpath. web_connectivity
// files are listed twice: most real measurements are web_connectivity.
var corpusFiles = []string{
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

// Corpus makes measurements from templates.
type Corpus struct {
	templates [][]byte
	names     []string
}

// Root returns the repository's root folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Load reads the templates.
func Load(t testing.TB) *Corpus {
	t.Helper()
	c := &Corpus{}
	for _, name := range corpusFiles {
		raw, err := os.ReadFile(filepath.Join(Root(), "testdata", "ooni", "backend-fastpath", name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		delete(doc, "measurement_uid")
		doc["input"] = phInput
		doc["measurement_start_time"] = phStart
		doc["test_start_time"] = phTest
		doc["report_id"] = phReport
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		c.templates = append(c.templates, b)
		c.names = append(c.names, name)
	}
	if len(c.templates) < 10 {
		t.Fatalf("collectortest: only %d templates found under %s", len(c.templates), Root())
	}
	return c
}

// Measurement returns measurement i (different for every i) starting at
// at.
func (c *Corpus) Measurement(i int, at time.Time) []byte {
	tmpl := c.templates[i%len(c.templates)]
	start := measurement.FormatTime(at)
	out := bytes.Replace(tmpl, []byte(phInput), fmt.Appendf(nil, "https://www.site%d.example/page", i), 1)
	out = bytes.Replace(out, []byte(phStart), []byte(start), 1)
	out = bytes.Replace(out, []byte(phTest), []byte(measurement.FormatTime(at.Add(-time.Second))), 1)
	report := fmt.Sprintf("%s_webconnectivity_IT_30722_n1_bench%011d", at.UTC().Format("20060102T150405Z"), i/100)
	return bytes.Replace(out, []byte(phReport), []byte(report), 1)
}

// Size is the mean size of the templates in bytes.
func (c *Corpus) Size() int {
	n := 0
	for _, t := range c.templates {
		n += len(t)
	}
	return n / len(c.templates)
}
