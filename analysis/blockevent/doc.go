// Package blockevent finds when blocking of a domain in a network started
// and stopped, from the daily series of measurement outcomes of that
// (country, network, domain).
//
// # Design
//
// The input is one [Day] per calendar day: how many measurements gave a
// usable answer (ok, anomaly or confirmed; failed measurements say nothing
// about blocking and are left out) and how many of those looked blocked.
// Days without a usable measurement carry no information and are skipped,
// so gaps in testing neither start nor end an event.
//
// Each day's blocked count is modelled as binomial with a rate that is
// constant between change points. The change points are found by binary
// segmentation with a likelihood-ratio test: for a segment, every split
// point is tried, and the best split is kept when
//
//	LL(left) + LL(right) − LL(whole) > Penalty
//
// where LL is the binomial log-likelihood at the segment's own rate. The
// penalty grows with the log of the number of measurements (a BIC-style
// penalty), because the best of many tried splits always looks somewhat
// better than no split in pure noise. A split is also refused when either
// side has fewer than MinMeasurements usable measurements or when the two
// rates differ by less than MinRateChange: a statistically significant but
// tiny change in a huge sample is not the start of blocking. The segments
// are then split again, recursively, until no split passes.
//
// Each resulting segment is then labelled blocked or open by its rate
// (at least BlockedRate, with at least MinMeasurements measurements);
// consecutive blocked segments form one [Event]. An event that lasts until
// the last measured day is ongoing. Nothing in the method is a per-day
// threshold: a noisy day with a few anomalies in an open network does not
// make an event, and one clean day in a blocked network does not end one.
//
// The detection runs in Go over rows that ClickHouse aggregates (one row
// per day and key): the series are short (days), so the quadratic search
// of binary segmentation costs microseconds per series.
package blockevent
