package blockevent

import (
	"math"
	"slices"
	"time"
)

// Segments splits the series into runs of days with one blocking rate and
// labels each blocked or open. Days may come in any order; days with no
// usable measurement are ignored, and two entries for one day are added.
func (d Detector) Segments(series []Day) []Segment {
	days := measuredDays(series)
	if len(days) == 0 {
		return nil
	}
	// Prefix sums make each segment's counts O(1).
	n := make([]int, len(days)+1)
	k := make([]int, len(days)+1)
	for i, day := range days {
		n[i+1] = n[i] + day.Measured
		k[i+1] = k[i] + day.Blocked
	}
	s := splitter{d: d, n: n, k: k, penalty: d.penalty(n[len(days)])}
	cuts := append([]int{0}, s.split(0, len(days))...)
	cuts = append(cuts, len(days))
	slices.Sort(cuts)

	segs := make([]Segment, 0, len(cuts)-1)
	for i := 0; i+1 < len(cuts); i++ {
		from, to := cuts[i], cuts[i+1]
		seg := Segment{First: days[from].Day, Last: days[to-1].Day}
		for _, day := range days[from:to] {
			seg.Measured += day.Measured
			seg.Blocked += day.Blocked
			seg.Confirmed += day.Confirmed
		}
		seg.Blocking = seg.Measured >= d.minMeasurements() && seg.Rate() >= d.blockedRate()
		segs = append(segs, seg)
	}
	return segs
}

// Events returns the periods of blocking in the series, oldest first.
func (d Detector) Events(series []Day) []Event {
	segs := d.Segments(series)
	var events []Event
	var cur *Event
	var lastOpen time.Time
	for _, seg := range segs {
		if !seg.Blocking {
			if cur != nil {
				cur.End = seg.First
				events = append(events, *cur)
				cur = nil
			}
			lastOpen = seg.Last
			continue
		}
		if cur == nil {
			cur = &Event{Start: seg.First, OpenBefore: lastOpen}
		}
		cur.LastBlocked = seg.Last
		cur.Measured += seg.Measured
		cur.Blocked += seg.Blocked
		cur.Confirmed += seg.Confirmed
	}
	if cur != nil {
		cur.Ongoing = true
		events = append(events, *cur)
	}
	return events
}

// measuredDays sorts the days, adds up entries for the same day and drops
// days without a usable measurement.
func measuredDays(series []Day) []Day {
	days := make([]Day, 0, len(series))
	for _, day := range series {
		if day.Measured <= 0 {
			continue
		}
		day.Day = day.Day.UTC().Truncate(24 * time.Hour)
		day.Blocked = min(max(day.Blocked, 0), day.Measured)
		day.Confirmed = min(max(day.Confirmed, 0), day.Blocked)
		days = append(days, day)
	}
	slices.SortFunc(days, func(a, b Day) int { return a.Day.Compare(b.Day) })
	out := days[:0]
	for _, day := range days {
		if len(out) > 0 && out[len(out)-1].Day.Equal(day.Day) {
			last := &out[len(out)-1]
			last.Measured += day.Measured
			last.Blocked += day.Blocked
			last.Confirmed += day.Confirmed
			continue
		}
		out = append(out, day)
	}
	return out
}

// splitter runs binary segmentation over prefix sums of measured (n) and
// blocked (k) counts.
type splitter struct {
	d       Detector
	n, k    []int
	penalty float64
}

// split returns the change points inside [from, to), as day indexes where
// a new segment begins.
func (s splitter) split(from, to int) []int {
	whole := s.ll(from, to)
	best, bestGain := -1, s.penalty
	for t := from + 1; t < to; t++ {
		nl, nr := s.n[t]-s.n[from], s.n[to]-s.n[t]
		if nl < s.d.minMeasurements() || nr < s.d.minMeasurements() {
			continue
		}
		rl := float64(s.k[t]-s.k[from]) / float64(nl)
		rr := float64(s.k[to]-s.k[t]) / float64(nr)
		if math.Abs(rl-rr) < s.d.minRateChange() {
			continue
		}
		if gain := s.ll(from, t) + s.ll(t, to) - whole; gain > bestGain {
			best, bestGain = t, gain
		}
	}
	if best < 0 {
		return nil
	}
	return append(append([]int{best}, s.split(from, best)...), s.split(best, to)...)
}

// ll is the binomial log-likelihood of days [from, to) at their own rate
// (the binomial coefficients cancel in every comparison and are left out).
func (s splitter) ll(from, to int) float64 {
	n := float64(s.n[to] - s.n[from])
	k := float64(s.k[to] - s.k[from])
	return xlogy(k, k/n) + xlogy(n-k, (n-k)/n)
}

// xlogy is x·ln(y), 0 when x is 0.
func xlogy(x, y float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(y)
}
