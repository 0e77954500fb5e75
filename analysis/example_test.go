package analysis_test

import (
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/analysis"
)

func ExampleAnalyze() {
	m, err := analysis.ParseRecord([]byte(`{
		"test_name": "dns", "input": "twitter.com", "probe_cc": "IR",
		"measurement_start_time": "2026-03-01 10:00:00",
		"test_keys": {"queries": [{"hostname": "twitter.com", "query_type": "A",
			"answers": [{"answer_type": "A", "ipv4": "10.10.34.34"}]}]}}`))
	if err != nil {
		panic(err)
	}
	v := analysis.Analyze(m)
	fmt.Println(v.Status, v.Blocking.Method, v.Confidence, v.Fingerprint)
	fmt.Println(v.Explanation)
	// Output:
	// blocked dns confirmed ooni.ir_4
	// The DNS answer for twitter.com was 10.10.34.34, the address Iran's national filter uses for blocked sites.
}

func ExampleNewReader() {
	in := `{"report_id":"r1","test_name":"tcpconnect","input":"203.0.113.5:443","measurement_start_time":"2026-03-01 10:00:00","test_keys":{"tcp_connect":[{"ip":"203.0.113.5","port":443,"status":{"success":true,"failure":null}}]}}
this line is not JSON
`
	r := analysis.NewReader(strings.NewReader(in), "results.jsonl")
	for {
		m, line, err := r.Next()
		if err != nil {
			if _, bad := err.(*analysis.RecordError); bad {
				fmt.Println("skipped:", err)
				continue
			}
			break // io.EOF
		}
		fmt.Println(line, analysis.Analyze(m).Status)
	}
	// Output:
	// 1 ok
	// skipped: results.jsonl:2: measurement: invalid character 'h' in literal true (expecting 'r')
}
