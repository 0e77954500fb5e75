package collectorclient

import (
	"errors"
	"fmt"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
)

// ClockSkewThreshold is how far the probe's clock may be from the
// collector's before the probe corrects the times it writes. Below it the
// difference is within what the estimate can tell (the check-in's round
// trip, utc_time's one-second resolution) and what collectors tolerate.
const ClockSkewThreshold = time.Minute

// ErrNoServerTime is returned by ClockOffset when the check-in answer has
// no utc_time.
var ErrNoServerTime = errors.New("the check-in answer has no utc_time")

// maxOffset bounds a believable offset: a clock wrong by more than this,
// or a collector that says so, is a fault to report, not to correct.
const maxOffset = 20 * 365 * 24 * time.Hour

// ClockOffset estimates the collector's clock minus the probe's, rounded
// to the second, from a check-in answer's utc_time ("2006-01-02T15:04:05Z",
// as OONI's check-in writes it, or "2006-01-02 15:04:05") and the probe's
// clock when it sent the check-in and when the answer arrived. The
// collector read its clock in between, so the estimate is the midpoint's:
// off by at most half the round trip plus a second.
func ClockOffset(utcTime string, sent, received time.Time) (time.Duration, error) {
	if utcTime == "" {
		return 0, ErrNoServerTime
	}
	server, err := time.Parse(time.RFC3339, utcTime)
	if err != nil {
		if server, err = measurement.ParseTime(utcTime); err != nil {
			return 0, fmt.Errorf("utc_time %q is not a time", printable(utcTime, 40))
		}
	}
	mid := sent.Add(received.Sub(sent) / 2)
	off := server.Sub(mid).Round(time.Second)
	if off > maxOffset || off < -maxOffset {
		return 0, fmt.Errorf("utc_time %s is %s away from this computer's clock: not believable", utcTime, off)
	}
	return off, nil
}
