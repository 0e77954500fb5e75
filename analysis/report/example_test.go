package report_test

import (
	"fmt"
	"io"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
	"github.com/sonde-project/sonde/analysis/report"
)

// A report composed from daily counts (as aggregate.Store returns them),
// then written as a self-contained HTML page.
func ExampleCompose() {
	day := func(i int) time.Time { return time.Date(2026, 11, 1+i, 0, 0, 0, 0, time.UTC) }
	var counts []aggregate.Count
	for i := range 10 {
		for _, asn := range []string{"AS44244", "AS58224"} {
			c := aggregate.Count{Day: day(i), CC: "IR", ASN: asn, Domain: "twitter.com", TestName: "web_connectivity"}
			if asn == "AS44244" && i >= 3 {
				c.Method, c.Confirmed = "dns", 4 // blocked from 4 November
			} else {
				c.OK = 4
			}
			counts = append(counts, c)
		}
	}
	req := report.Request{Kind: report.KindCountry, CC: "IR", Since: day(0), Until: day(10),
		Now: func() time.Time { return day(10) }}
	if err := req.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	r := report.Compose(req, counts, nil)
	fmt.Println(r.Headline.Sentence)
	fmt.Println(r.Groups[0].Findings[0].Sentence)
	if err := report.WriteHTML(io.Discard, r, report.Page{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// In Iran, the one website measured was blocked in 1 of 2 networks between 1 and 10 November 2026. Blocking was first seen on 4 November 2026.
	// twitter.com was blocked in 1 of 2 networks measured in Iran between 4 and 10 November 2026, by DNS tampering (the network gave a wrong address for the site) (confirmed: a known blockpage or censor DNS answer was seen). It was still blocked on the last day measured.
}
