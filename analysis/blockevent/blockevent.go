package blockevent

import (
	"cmp"
	"math"
	"time"
)

// Day is one day of measurements of one domain in one network.
type Day struct {
	Day time.Time // midnight UTC
	// Measured counts the measurements with a usable answer: ok, anomaly
	// and confirmed. Failed measurements are not counted.
	Measured int
	// Blocked counts those that looked blocked (anomaly or confirmed).
	Blocked int
	// Confirmed counts those among Blocked where a known blockpage or
	// censor answer matched.
	Confirmed int
}

// Event is one period of blocking.
type Event struct {
	// Start is the first measured day of the blocking.
	Start time.Time `json:"start"`
	// OpenBefore is the last measured day before Start when the site was
	// reachable (zero when blocking was seen from the first measured day):
	// blocking began after OpenBefore and no later than Start.
	OpenBefore time.Time `json:"open_before,omitzero"`
	// LastBlocked is the last measured day of the blocking.
	LastBlocked time.Time `json:"last_blocked"`
	// End is the first measured day when the site was reachable again;
	// zero while the event is ongoing.
	End time.Time `json:"end,omitzero"`
	// Ongoing is true when the blocking lasts until the last measured day.
	Ongoing bool `json:"ongoing"`
	// Measured, Blocked and Confirmed sum the days of the event.
	Measured  int `json:"measured"`
	Blocked   int `json:"blocked"`
	Confirmed int `json:"confirmed"`
}

// Rate is the share of usable measurements that looked blocked.
func (e Event) Rate() float64 {
	if e.Measured == 0 {
		return 0
	}
	return float64(e.Blocked) / float64(e.Measured)
}

// Segment is a run of days with one blocking rate.
type Segment struct {
	// First and Last are the segment's first and last measured days.
	First, Last time.Time
	// Measured, Blocked and Confirmed sum the segment's days.
	Measured, Blocked, Confirmed int
	// Blocking is true when the segment is labelled blocked.
	Blocking bool
}

// Rate is the share of usable measurements that looked blocked.
func (s Segment) Rate() float64 {
	if s.Measured == 0 {
		return 0
	}
	return float64(s.Blocked) / float64(s.Measured)
}

// Detector holds the method's parameters. The zero value uses defaults
// suited to daily series of a few to a few hundred measurements a day.
type Detector struct {
	// MinMeasurements is the least number of usable measurements on each
	// side of a change point, and in a segment labelled blocked. Default 5.
	MinMeasurements int
	// MinRateChange is the least difference of blocking rate across a
	// change point. Default 0.2.
	MinRateChange float64
	// BlockedRate is the least rate of a segment labelled blocked.
	// Default 0.5.
	BlockedRate float64
	// Penalty is the least log-likelihood gain of a change point. Default
	// 4 + ln(N) for a series of N usable measurements.
	Penalty float64
}

func (d Detector) minMeasurements() int   { return cmp.Or(d.MinMeasurements, 5) }
func (d Detector) minRateChange() float64 { return cmp.Or(d.MinRateChange, 0.2) }
func (d Detector) blockedRate() float64   { return cmp.Or(d.BlockedRate, 0.5) }

func (d Detector) penalty(total int) float64 {
	if d.Penalty > 0 {
		return d.Penalty
	}
	return 4 + math.Log(float64(max(total, 1)))
}
