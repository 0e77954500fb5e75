package blockevent_test

import (
	"fmt"
	"time"

	"github.com/sonde-project/sonde/analysis/blockevent"
)

func ExampleDetector_Events() {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var series []blockevent.Day
	for i := range 21 {
		d := blockevent.Day{Day: start.AddDate(0, 0, i), Measured: 6}
		if i >= 10 && i < 17 { // blocked from the 11th to the 17th
			d.Blocked, d.Confirmed = 6, 4
		}
		if i == 4 { // one noisy day
			d.Blocked = 2
		}
		series = append(series, d)
	}
	for _, e := range (blockevent.Detector{}).Events(series) {
		fmt.Printf("blocked from %s (open on %s) to %s, %d of %d measurements\n",
			e.Start.Format(time.DateOnly), e.OpenBefore.Format(time.DateOnly),
			e.End.Format(time.DateOnly), e.Blocked, e.Measured)
	}
	// Output:
	// blocked from 2026-11-11 (open on 2026-11-10) to 2026-11-18, 42 of 42 measurements
}
