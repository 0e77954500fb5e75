package main

import (
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/sonde-project/sonde/probe/collectorclient"
)

// AnnotationClockCorrection is the annotation a measurement carries when
// its times were corrected: the seconds added to this computer's clock
// ("-7200" for a clock two hours ahead), so that anyone can undo it.
const AnnotationClockCorrection = "clock_correction_seconds"

// correctClock makes the run write times by the collector's clock when
// this computer's is off by more than collectorclient.ClockSkewThreshold,
// as the check-in showed. measurement_start_time and test_start_time are
// then in corrected UTC, and every measurement carries the correction in
// its annotations. It returns the clock for the run and a note for the
// volunteer ("" when nothing was corrected).
//
// Without a check-in (--no-upload) nothing tells the probe the right
// time: it writes this computer's clock as it is. A collector refuses
// measurements that start more than an hour in the future (or long ago)
// and says so, with the timestamp, when they are uploaded later.
func (a *app) correctClock(p *plan) (now func() time.Time, note string) {
	s := p.session
	if s == nil || s.clockErr != nil {
		return a.now, ""
	}
	off := s.clockOffset
	if off <= collectorclient.ClockSkewThreshold && off >= -collectorclient.ClockSkewThreshold {
		return a.now, ""
	}
	annotations := maps.Clone(p.cfg.Envelope.Annotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationClockCorrection] = strconv.FormatInt(int64(off/time.Second), 10)
	p.cfg.Envelope.Annotations = annotations
	way := "behind"
	if off < 0 {
		way = "ahead of"
	}
	note = fmt.Sprintf("This computer's clock is %s %s the collector's: measurement times are corrected (annotation %s). "+
		"Setting the clock right (NTP) keeps the measurements you do not upload right too.", abs(off), way, AnnotationClockCorrection)
	return func() time.Time { return a.now().Add(off) }, note
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
