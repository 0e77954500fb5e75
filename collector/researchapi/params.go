package researchapi

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
)

// ErrBadParam wraps every error about a request's parameters; such a
// request gets 400 Bad Request and the message.
var ErrBadParam = errors.New("bad parameter")

var (
	ccRe       = regexp.MustCompile(`^[A-Z]{2}$`)
	asnRe      = regexp.MustCompile(`^(AS)?[0-9]{1,10}$`)
	domainRe   = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]{0,62}\.)*[a-z0-9_-]{1,63}$`)
	testNameRe = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)
	uidRe      = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)
)

// Verdict filter values.
var verdicts = []string{"ok", "anomaly", "confirmed", "failure"}

// params reads a request's query string: each parameter at most once,
// only the known ones.
type params struct {
	v url.Values
}

func parseParams(raw string, known ...string) (params, error) {
	if len(raw) > 4096 {
		return params{}, fmt.Errorf("%w: the query string is longer than 4096 bytes", ErrBadParam)
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return params{}, fmt.Errorf("%w: the query string does not parse: %v", ErrBadParam, err)
	}
	for name, vals := range v {
		if !slices.Contains(known, name) {
			return params{}, fmt.Errorf("%w: unknown parameter %q (this endpoint takes %s)", ErrBadParam, clip(name), strings.Join(known, ", "))
		}
		if len(vals) > 1 {
			return params{}, fmt.Errorf("%w: %s is given %d times; give it once", ErrBadParam, name, len(vals))
		}
	}
	return params{v: v}, nil
}

func (p params) get(name string) string { return strings.TrimSpace(p.v.Get(name)) }

// clip keeps error messages short when echoing input.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func bad(name, value, want string) error {
	return fmt.Errorf("%w: %s=%q is not %s", ErrBadParam, name, clip(value), want)
}

// filter reads probe_cc, probe_asn, domain and test_name.
func (p params) filter() (aggregate.Filter, error) {
	var f aggregate.Filter
	if cc := strings.ToUpper(p.get("probe_cc")); cc != "" {
		if !ccRe.MatchString(cc) {
			return f, bad("probe_cc", p.get("probe_cc"), "a two-letter country code (e.g. IR)")
		}
		f.CC = cc
	}
	if asn := strings.ToUpper(p.get("probe_asn")); asn != "" {
		if !asnRe.MatchString(asn) {
			return f, bad("probe_asn", p.get("probe_asn"), "a network number (e.g. AS44244)")
		}
		n, err := aggregate.ParseASN(asn)
		if err != nil {
			return f, bad("probe_asn", asn, "a network number (e.g. AS44244)")
		}
		f.ASN = aggregate.FormatASN(n)
	}
	if d := strings.TrimSuffix(strings.ToLower(p.get("domain")), "."); d != "" {
		if len(d) > 253 || !domainRe.MatchString(d) {
			return f, bad("domain", p.get("domain"), "a domain name (e.g. twitter.com)")
		}
		f.Domain = d
	}
	if tn := p.get("test_name"); tn != "" {
		if !testNameRe.MatchString(tn) {
			return f, bad("test_name", tn, "a test name (e.g. web_connectivity)")
		}
		f.TestName = tn
	}
	return f, nil
}

// timeRange reads since and until (a day, "2026-11-01", or a UTC time,
// "2026-11-01T12:00:00Z"), defaulting to the defaultDays days before now's
// next midnight, and refuses ranges longer than maxDays.
func (p params) timeRange(now time.Time, defaultDays, maxDays int) (since, until time.Time, err error) {
	until = now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	if s := p.get("until"); s != "" {
		if until, err = parseTime(s); err != nil {
			return since, until, bad("until", s, `a day (2026-11-01) or a UTC time (2026-11-01T12:00:00Z)`)
		}
	}
	since = until.AddDate(0, 0, -defaultDays)
	if s := p.get("since"); s != "" {
		if since, err = parseTime(s); err != nil {
			return since, until, bad("since", s, `a day (2026-11-01) or a UTC time (2026-11-01T12:00:00Z)`)
		}
	}
	if !until.After(since) {
		return since, until, fmt.Errorf("%w: until (%s) must be after since (%s)", ErrBadParam,
			until.Format(time.RFC3339), since.Format(time.RFC3339))
	}
	if until.Sub(since) > time.Duration(maxDays)*24*time.Hour {
		return since, until, fmt.Errorf("%w: since and until are more than %d days apart", ErrBadParam, maxDays)
	}
	return since, until, nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.DateOnly, "2006-01-02T15:04:05Z", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			if t.Year() < 2000 || t.Year() > 2200 {
				return time.Time{}, errors.New("year out of range")
			}
			return t, nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

// intParam reads an integer in [lo, hi], def when absent.
func (p params) intParam(name string, def, lo, hi int) (int, error) {
	s := p.get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, bad(name, s, fmt.Sprintf("a number from %d to %d", lo, hi))
	}
	return n, nil
}

// oneOf reads a value from a fixed list (case-insensitive), def when
// absent.
func (p params) oneOf(name, def string, allowed ...string) (string, error) {
	s := strings.ToLower(p.get(name))
	if s == "" {
		return def, nil
	}
	if !slices.Contains(allowed, s) {
		return "", bad(name, p.get(name), "one of "+strings.Join(allowed, ", "))
	}
	return s, nil
}

// cursor is the position after the last row of a page: rows are ordered
// by (measurement_start_time, measurement_uid), newest first.
type cursor struct {
	Time time.Time
	UID  string
}

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Time.Unix(), 10) + ":" + c.UID))
}

func parseCursor(s string) (cursor, error) {
	fail := bad("cursor", s, "a cursor from a previous page's next_cursor")
	if len(s) > 256 {
		return cursor{}, fail
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, fail
	}
	secs, uid, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil || n < 0 || n > 1<<33 || !uidRe.MatchString(uid) {
		return cursor{}, fail
	}
	return cursor{Time: time.Unix(n, 0).UTC(), UID: uid}, nil
}

// filtered reads the parameters of an endpoint that selects measurements
// of a period: the known names, the filter, and since and until.
func (h *Handler) filtered(r *http.Request, known []string, defaultDays, maxDays int) (p params, f aggregate.Filter, since, until time.Time, err error) {
	if p, err = parseParams(r.URL.RawQuery, known...); err != nil {
		return p, f, since, until, err
	}
	if f, err = p.filter(); err != nil {
		return p, f, since, until, err
	}
	since, until, err = p.timeRange(h.cfg.Now(), defaultDays, maxDays)
	return p, f, since, until, err
}
