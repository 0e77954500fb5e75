package scenario_test

import (
	"fmt"

	"github.com/sonde-project/sonde/internal/lab/scenario"
)

func ExampleParse() {
	s, err := scenario.Parse([]byte(`
name: tiny
description: one reset, one control
country: ZZ
rules:
  - {action: rst, sni: [twitter.com]}
targets:
  - {url: "https://twitter.com/", expect: {blocking: tls, confidence: anomaly}}
  - {url: "https://example.org/", expect: {blocking: false, confidence: ok}}
`), false)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range s.Targets {
		fmt.Println(t.TestName(), t.URL, t.Expect.Blocking, t.Expect.Confidence)
	}
	// Output:
	// web_connectivity https://twitter.com/ tls anomaly
	// web_connectivity https://example.org/ false ok
}
