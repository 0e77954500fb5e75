package blockevent

import (
	"math/rand/v2"
	"testing"
	"time"
)

var day0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func dayN(i int) time.Time { return day0.AddDate(0, 0, i) }

// phase is a run of days with a true blocking rate.
type phase struct {
	days int
	rate float64
}

// synth draws a series: perDay measurements a day, each blocked with the
// phase's rate, from a seeded generator.
func synth(seed uint64, perDay int, phases ...phase) []Day {
	r := rand.New(rand.NewPCG(seed, 7))
	var series []Day
	i := 0
	for _, p := range phases {
		for range p.days {
			d := Day{Day: dayN(i), Measured: perDay}
			for range perDay {
				if r.Float64() < p.rate {
					d.Blocked++
				}
			}
			series = append(series, d)
			i++
		}
	}
	return series
}

func TestEventsKnownChangePoints(t *testing.T) {
	cases := []struct {
		name   string
		perDay int
		phases []phase
		// want are (start, end) day indexes; end -1 means ongoing.
		want [][2]int
		// tol is how many days off a change point may be found.
		tol int
	}{
		{"starts and stops", 8, []phase{{20, 0.05}, {15, 0.9}, {20, 0.05}}, [][2]int{{20, 35}}, 1},
		{"starts, ongoing", 6, []phase{{30, 0.1}, {10, 0.95}}, [][2]int{{30, -1}}, 1},
		{"blocked from the start, lifted", 10, []phase{{12, 0.85}, {25, 0.02}}, [][2]int{{0, 12}}, 1},
		{"two events", 10, []phase{{15, 0.05}, {10, 0.9}, {15, 0.05}, {10, 0.8}}, [][2]int{{15, 25}, {40, -1}}, 1},
		{"partial blocking at 60%", 20, []phase{{20, 0.05}, {20, 0.6}}, [][2]int{{20, -1}}, 1},
		{"few measurements a day", 2, []phase{{30, 0.05}, {30, 0.95}}, [][2]int{{30, -1}}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for seed := range uint64(20) {
				events := Detector{}.Events(synth(seed, c.perDay, c.phases...))
				if len(events) != len(c.want) {
					t.Fatalf("seed %d: %d events, want %d: %+v", seed, len(events), len(c.want), events)
				}
				for i, w := range c.want {
					e := events[i]
					if !near(e.Start, dayN(w[0]), c.tol) {
						t.Errorf("seed %d event %d: start %s, want %s ±%d days", seed, i, e.Start.Format(time.DateOnly), dayN(w[0]).Format(time.DateOnly), c.tol)
					}
					if w[1] < 0 {
						if !e.Ongoing || !e.End.IsZero() {
							t.Errorf("seed %d event %d: not ongoing: %+v", seed, i, e)
						}
						continue
					}
					if e.Ongoing || !near(e.End, dayN(w[1]), c.tol) {
						t.Errorf("seed %d event %d: end %s ongoing=%v, want %s ±%d days", seed, i, e.End.Format(time.DateOnly), e.Ongoing, dayN(w[1]).Format(time.DateOnly), c.tol)
					}
				}
			}
		})
	}
}

func near(a, b time.Time, days int) bool {
	d := a.Sub(b)
	return d >= -time.Duration(days)*24*time.Hour && d <= time.Duration(days)*24*time.Hour
}

func TestNoEventInNoise(t *testing.T) {
	cases := []struct {
		name   string
		perDay int
		rate   float64
	}{
		{"clean network", 10, 0.02},
		{"flaky network", 10, 0.2},
		{"very flaky, few measurements", 3, 0.3},
		{"many measurements, 10% noise", 200, 0.1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for seed := range uint64(50) {
				if events := (Detector{}).Events(synth(seed, c.perDay, phase{60, c.rate})); len(events) != 0 {
					t.Fatalf("seed %d: noise made events: %+v", seed, events)
				}
			}
		})
	}
}

func TestSpikeDayIsNotAnEvent(t *testing.T) {
	series := synth(1, 10, phase{40, 0.03})
	series[20].Blocked = 10 // one bad day: every measurement anomalous
	if events := (Detector{}).Events(series); len(events) != 0 {
		t.Fatalf("one bad day made an event: %+v", events)
	}
}

func TestTooLittleEvidence(t *testing.T) {
	// Three anomalous measurements in all: fewer than MinMeasurements.
	series := []Day{{Day: dayN(0), Measured: 1, Blocked: 1}, {Day: dayN(3), Measured: 2, Blocked: 2}}
	if events := (Detector{}).Events(series); len(events) != 0 {
		t.Fatalf("events from 3 measurements: %+v", events)
	}
	series = append(series, Day{Day: dayN(4), Measured: 3, Blocked: 3, Confirmed: 2})
	events := Detector{}.Events(series)
	if len(events) != 1 || !events[0].Start.Equal(dayN(0)) || !events[0].Ongoing || events[0].Confirmed != 2 {
		t.Fatalf("6 blocked measurements over 3 days: %+v", events)
	}
}

func TestGapsAndOrder(t *testing.T) {
	// Open for ten days, a week without measurements, then blocked; given
	// out of order, with a duplicate day and days with nothing measured.
	var series []Day
	for i := 17; i < 27; i++ {
		series = append(series, Day{Day: dayN(i), Measured: 5, Blocked: 5, Confirmed: 5})
	}
	for i := range 10 {
		series = append(series, Day{Day: dayN(i), Measured: 5})
		series = append(series, Day{Day: dayN(i + 10)}) // nothing measured
	}
	series = append(series, Day{Day: dayN(3).Add(5 * time.Hour), Measured: 2, Blocked: 0})
	events := Detector{}.Events(series)
	if len(events) != 1 {
		t.Fatalf("got %+v", events)
	}
	e := events[0]
	if !e.Start.Equal(dayN(17)) || !e.OpenBefore.Equal(dayN(9)) || !e.LastBlocked.Equal(dayN(26)) || !e.Ongoing {
		t.Errorf("event %+v: want start %s after open %s", e, dayN(17), dayN(9))
	}
	if e.Measured != 50 || e.Blocked != 50 || e.Confirmed != 50 || e.Rate() != 1 {
		t.Errorf("counts %+v", e)
	}
}

func TestEmpty(t *testing.T) {
	if s := (Detector{}).Segments(nil); s != nil {
		t.Fatalf("segments of nothing: %+v", s)
	}
	if e := (Detector{}).Events([]Day{{Day: day0}}); e != nil {
		t.Fatalf("events of an unmeasured day: %+v", e)
	}
}

func BenchmarkEvents90Days(b *testing.B) {
	series := synth(3, 20, phase{30, 0.05}, phase{30, 0.9}, phase{30, 0.05})
	for b.Loop() {
		Detector{}.Events(series)
	}
}
