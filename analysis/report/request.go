package report

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sonde-project/sonde/analysis/blockevent"
)

// MaxPeriodDays is the longest period one report covers, and MaxPeriod
// the same as a duration.
const (
	MaxPeriodDays = 366
	MaxPeriod     = MaxPeriodDays * 24 * time.Hour
)

// Request says which report to build.
type Request struct {
	// Kind is KindCountry or KindDomain. REQUIRED.
	Kind string
	// CC is the country of a country report (ISO 3166 alpha-2, upper
	// case); OPTIONAL for a domain report, where it narrows to one country.
	CC string
	// Domain is the domain of a domain report.
	Domain string
	// Since (inclusive) and Until (exclusive) are days, UTC. REQUIRED.
	Since, Until time.Time
	// Categories maps domains to Citizen Lab category codes. OPTIONAL.
	Categories map[string]string
	// MeasurementURL, when set, turns evidence ids into links: the
	// measurement id is appended to it (e.g.
	// "https://collector.example/api/v1/measurements/"). OPTIONAL.
	MeasurementURL string
	// Detector finds blocking events; the zero value uses its defaults.
	Detector blockevent.Detector
	// Now stamps the report; time.Now when nil.
	Now func() time.Time
}

var (
	ccPattern     = regexp.MustCompile(`^[A-Z]{2}$`)
	domainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$`)
)

// Errors of Validate.
var (
	ErrBadRequest = errors.New("bad report request")
)

// Validate checks the request and normalises its country code, domain and
// days.
func (r *Request) Validate() error {
	r.CC = strings.ToUpper(strings.TrimSpace(r.CC))
	r.Domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(r.Domain)), ".")
	switch r.Kind {
	case KindCountry:
		if r.CC == "" {
			return fmt.Errorf("%w: a country report needs a country code (e.g. IR)", ErrBadRequest)
		}
	case KindDomain:
		if r.Domain == "" {
			return fmt.Errorf("%w: a domain report needs a domain (e.g. twitter.com)", ErrBadRequest)
		}
	default:
		return fmt.Errorf("%w: kind %q is neither %q nor %q", ErrBadRequest, r.Kind, KindCountry, KindDomain)
	}
	if r.CC != "" && (!ccPattern.MatchString(r.CC) || !KnownCountry(r.CC)) {
		return fmt.Errorf("%w: %q is not a two-letter country code (ISO 3166, e.g. IR)", ErrBadRequest, r.CC)
	}
	if r.Domain != "" && (len(r.Domain) > 253 || !domainPattern.MatchString(r.Domain)) {
		return fmt.Errorf("%w: %q is not a domain name (e.g. twitter.com)", ErrBadRequest, r.Domain)
	}
	if r.Since.IsZero() || r.Until.IsZero() {
		return fmt.Errorf("%w: the period needs a first and a last day", ErrBadRequest)
	}
	r.Since = r.Since.UTC().Truncate(24 * time.Hour)
	r.Until = r.Until.UTC().Truncate(24 * time.Hour)
	if !r.Until.After(r.Since) {
		return fmt.Errorf("%w: the period ends (%s) before it begins (%s)", ErrBadRequest,
			r.Until.Format(time.DateOnly), r.Since.Format(time.DateOnly))
	}
	if r.Until.Sub(r.Since) > MaxPeriod {
		return fmt.Errorf("%w: a report covers at most 366 days", ErrBadRequest)
	}
	return nil
}

func (r *Request) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}
