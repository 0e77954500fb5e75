package report

import (
	"cmp"
	"net/url"
	"slices"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
	"github.com/sonde-project/sonde/analysis/blockevent"
	"github.com/sonde-project/sonde/internal/verdict"
)

// evidencePerCell is how many measurement ids each blocked
// (network, domain) cites, and candidatesPerCell how many a Source is
// asked for, to choose from those inside the blocking periods.
const (
	evidencePerCell   = 3
	candidatesPerCell = 12
)

// key is one (country, network, domain).
type key struct{ cc, asn, domain string }

// cellState gathers one key's counts over the period.
type cellState struct {
	key
	days     map[time.Time]*blockevent.Day
	counts   OutcomeCounts
	methods  map[string]int64
	events   []blockevent.Event
	evidence []aggregate.Evidence
	status   string
}

func (c *cellState) method() string {
	best, bestN := "", int64(0)
	for m, n := range c.methods {
		if n > bestN || n == bestN && m < best {
			best, bestN = m, n
		}
	}
	return best
}

func (c *cellState) blocked() bool {
	return c.status == StatusConfirmed || c.status == StatusLikely
}

// Compose builds a report from daily counts and evidence rows, as a
// [Source] returns them for the request. The request must be valid.
func Compose(req Request, counts []aggregate.Count, evidence []aggregate.Evidence) *Report {
	r := &Report{
		Kind: req.Kind, Since: req.Since, Until: req.Until, Generated: req.now(),
		Method: methodNote,
	}
	if req.Kind == KindCountry {
		r.Subject, r.SubjectName = req.CC, CountryName(req.CC)
		r.Title = "Internet censorship in " + r.SubjectName
	} else {
		r.Subject, r.SubjectName = req.Domain, req.Domain
		r.Title = "Where " + req.Domain + " is blocked"
		if req.CC != "" {
			r.Title += " in " + CountryName(req.CC)
		}
	}

	cells, timeline, totals := collect(counts)
	r.Totals = totals
	for _, e := range evidence {
		if cell := cells[key{e.CC, e.ASN, e.Domain}]; cell != nil {
			cell.evidence = append(cell.evidence, e)
		}
	}
	ordered := make([]*cellState, 0, len(cells))
	for _, cell := range cells {
		classify(req.Detector, cell)
		ordered = append(ordered, cell)
	}
	slices.SortFunc(ordered, func(a, b *cellState) int {
		return cmp.Or(cmp.Compare(a.cc, b.cc), cmp.Compare(a.asn, b.asn), cmp.Compare(a.domain, b.domain))
	})

	for day := req.Since; day.Before(req.Until); day = day.AddDate(0, 0, 1) {
		td := TimelineDay{Day: day}
		if oc := timeline[day]; oc != nil {
			td.OutcomeCounts = *oc
		}
		r.Timeline = append(r.Timeline, td)
	}
	r.Events = events(ordered)
	r.Groups = findings(req, ordered)
	r.Methods = methodCounts(ordered)
	r.Table = table(req, ordered)
	r.Evidence = evidenceLinks(req, ordered)
	r.Headline = headline(req, r, ordered)
	return r
}

// collect gathers the counts by (country, network, domain) and by day.
func collect(counts []aggregate.Count) (map[key]*cellState, map[time.Time]*OutcomeCounts, OutcomeCounts) {
	cells := map[key]*cellState{}
	timeline := map[time.Time]*OutcomeCounts{}
	var totals OutcomeCounts
	for _, c := range counts {
		k := key{c.CC, c.ASN, c.Domain}
		cell := cells[k]
		if cell == nil {
			cell = &cellState{key: k, days: map[time.Time]*blockevent.Day{}, methods: map[string]int64{}}
			cells[k] = cell
		}
		day := c.Day.UTC().Truncate(24 * time.Hour)
		d := cell.days[day]
		if d == nil {
			d = &blockevent.Day{Day: day}
			cell.days[day] = d
		}
		d.Measured += int(c.OK + c.Anomaly + c.Confirmed)
		d.Blocked += int(c.Anomaly + c.Confirmed)
		d.Confirmed += int(c.Confirmed)
		oc := OutcomeCounts{OK: c.OK, Anomaly: c.Anomaly, Confirmed: c.Confirmed, Failure: c.Failure}
		cell.counts = add(cell.counts, oc)
		if c.Anomaly+c.Confirmed > 0 {
			cell.methods[c.Method] += c.Anomaly + c.Confirmed
		}
		if timeline[day] == nil {
			timeline[day] = &OutcomeCounts{}
		}
		*timeline[day] = add(*timeline[day], oc)
		totals = add(totals, oc)
	}
	return cells, timeline, totals
}

// evidenceScope narrows the evidence a report needs to the countries and
// days where blocking was found, so that the store reads only those; ok
// is false when nothing was blocked.
func evidenceScope(req Request, counts []aggregate.Count) (f aggregate.Filter, ok bool) {
	cells, _, _ := collect(counts)
	f = aggregate.Filter{CC: req.CC, Domain: req.Domain}
	ccs := map[string]bool{}
	for _, cell := range cells {
		classify(req.Detector, cell)
		first, last, _ := cell.firstLast()
		if !cell.blocked() {
			continue
		}
		ccs[cell.cc] = true
		if f.Since.IsZero() || first.Before(f.Since) {
			f.Since = first
		}
		if end := last.AddDate(0, 0, 1); end.After(f.Until) {
			f.Until = end
		}
	}
	for cc := range ccs {
		f.AnyCC = append(f.AnyCC, cc)
	}
	slices.Sort(f.AnyCC)
	return f, len(ccs) > 0
}

func add(a, b OutcomeCounts) OutcomeCounts {
	return OutcomeCounts{a.OK + b.OK, a.Anomaly + b.Anomaly, a.Confirmed + b.Confirmed, a.Failure + b.Failure}
}

// classify runs the event detector over a cell's days and sets its status.
func classify(d blockevent.Detector, cell *cellState) {
	series := make([]blockevent.Day, 0, len(cell.days))
	for _, day := range cell.days {
		series = append(series, *day)
	}
	cell.events = d.Events(series)
	confirmed := 0
	for _, e := range cell.events {
		confirmed += e.Confirmed
	}
	switch {
	case confirmed > 0:
		cell.status = StatusConfirmed
	case len(cell.events) > 0:
		cell.status = StatusLikely
	case cell.counts.OK+cell.counts.Anomaly+cell.counts.Confirmed > 0:
		cell.status = StatusNotBlocked
	default:
		cell.status = StatusFailed
	}
	// Evidence is cited only from inside the blocking periods: an odd
	// measurement of a site that is not blocked proves nothing.
	kept := cell.evidence[:0]
	for _, e := range cell.evidence {
		if len(kept) < evidencePerCell && inEvents(cell.events, e.Time) {
			kept = append(kept, e)
		}
	}
	cell.evidence = kept
}

func (c *cellState) firstLast() (first, last time.Time, ongoing bool) {
	for i, e := range c.events {
		if i == 0 {
			first = e.Start
		}
		last = e.LastBlocked
		ongoing = ongoing || e.Ongoing
	}
	return first, last, ongoing
}

func (c *cellState) cell() Cell {
	out := Cell{Status: c.status, OutcomeCounts: c.counts}
	if c.blocked() {
		out.Method = c.method()
		out.FirstBlocked, out.LastBlocked, out.Ongoing = c.firstLast()
		for _, e := range c.evidence {
			out.Evidence = append(out.Evidence, e.MeasurementUID)
		}
	}
	return out
}

func events(cells []*cellState) []Event {
	var out []Event
	for _, c := range cells {
		for _, e := range c.events {
			ev := Event{CC: c.cc, ASN: c.asn, Domain: c.domain, Event: e, Confidence: StatusLikely}
			if e.Confirmed > 0 {
				ev.Confidence = StatusConfirmed
			}
			ev.Sentence = eventSentence(ev)
			out = append(out, ev)
		}
	}
	slices.SortStableFunc(out, func(a, b Event) int { return a.Start.Compare(b.Start) })
	return out
}

func evidenceLinks(req Request, cells []*cellState) []EvidenceLink {
	var out []EvidenceLink
	for _, c := range cells {
		for _, e := range c.evidence {
			l := EvidenceLink{
				MeasurementUID: e.MeasurementUID, Time: e.Time.UTC(), CC: e.CC, ASN: e.ASN,
				Domain: e.Domain, Input: e.Input, TestName: e.TestName, Method: e.Method,
				Confidence: StatusLikely, Explanation: e.Explanation,
			}
			if e.Confidence == verdict.Confirmed {
				l.Confidence = StatusConfirmed
			}
			if req.MeasurementURL != "" {
				l.URL = req.MeasurementURL + url.PathEscape(e.MeasurementUID)
			}
			out = append(out, l)
		}
	}
	return out
}

// inEvents reports whether t falls on a day of one of the events.
func inEvents(events []blockevent.Event, t time.Time) bool {
	day := t.UTC().Truncate(24 * time.Hour)
	for _, e := range events {
		if !day.Before(e.Start) && !day.After(e.LastBlocked) {
			return true
		}
	}
	return false
}
