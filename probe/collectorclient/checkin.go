package collectorclient

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/probe/runner"
	"github.com/sonde-project/sonde/probe/targets"
)

// Bounds on a check-in answer.
const (
	MaxCheckInTests   = 64
	MaxCheckInTargets = 50000 // over all tests
	maxHelpers        = 16
	maxFeatures       = 64
	maxIDLen          = 200
	maxNameLen        = 256
)

// ValidateCheckIn checks every field of a check-in answer that the probe
// uses. Nothing from the collector reaches the runner without passing
// here.
func ValidateCheckIn(r *probeapi.CheckInResponse) error {
	if r.ProbeCC != "" && !runner.ValidCC(r.ProbeCC) {
		return fmt.Errorf("probe_cc %q is not a country code", printable(r.ProbeCC, 20))
	}
	if r.ProbeASN != "" && !runner.ValidASN(r.ProbeASN) {
		return fmt.Errorf("probe_asn %q is not AS followed by a number", printable(r.ProbeASN, 20))
	}
	if len(r.ProbeNetworkName) > maxNameLen || printable(r.ProbeNetworkName, maxNameLen) != r.ProbeNetworkName {
		return errors.New("probe_network_name is too long or not printable")
	}
	if r.ProbeIP != "" {
		if _, err := netip.ParseAddr(r.ProbeIP); err != nil {
			return fmt.Errorf("probe_ip %q is not an IP address", printable(r.ProbeIP, 50))
		}
	}
	if len(r.Tests) > MaxCheckInTests {
		return fmt.Errorf("%d tests, more than %d", len(r.Tests), MaxCheckInTests)
	}
	total := 0
	for name, t := range r.Tests {
		if !isTestName(name) {
			return fmt.Errorf("test name %q", printable(name, 40))
		}
		if t.ReportID != "" && !safeID(t.ReportID, maxIDLen) {
			return fmt.Errorf("tests.%s.report_id %q", name, printable(t.ReportID, 40))
		}
		total += len(t.URLs)
		if total > MaxCheckInTargets {
			return fmt.Errorf("more than %d targets", MaxCheckInTargets)
		}
		for i, u := range t.URLs {
			if err := targets.CheckURL(u.URL); err != nil {
				return fmt.Errorf("tests.%s.urls[%d]: %w", name, i, err)
			}
			if u.CategoryCode != "" && !targets.CheckCategory(u.CategoryCode) {
				return fmt.Errorf("tests.%s.urls[%d]: category_code %q", name, i, printable(u.CategoryCode, 20))
			}
			if u.CountryCode != "" && !runner.ValidCC(u.CountryCode) && u.CountryCode != "XX" {
				return fmt.Errorf("tests.%s.urls[%d]: country_code %q", name, i, printable(u.CountryCode, 20))
			}
		}
	}
	return validateConf(&r.Conf)
}

func validateConf(c *probeapi.CheckInConf) error {
	if len(c.Features) > maxFeatures {
		return fmt.Errorf("conf.features: more than %d", maxFeatures)
	}
	if len(c.TestHelpers) > maxHelpers {
		return fmt.Errorf("conf.test_helpers: more than %d kinds", maxHelpers)
	}
	for kind, hs := range c.TestHelpers {
		if !isTestName(strings.ReplaceAll(kind, "-", "_")) {
			return fmt.Errorf("conf.test_helpers: kind %q", printable(kind, 40))
		}
		if len(hs) > maxHelpers {
			return fmt.Errorf("conf.test_helpers.%s: more than %d", kind, maxHelpers)
		}
		for i, h := range hs {
			if err := CheckServiceURL(h.Address); err != nil {
				return fmt.Errorf("conf.test_helpers.%s[%d]: %w", kind, i, err)
			}
		}
	}
	if c.Collector != "" {
		if err := CheckServiceURL(c.Collector); err != nil {
			return fmt.Errorf("conf.collector: %w", err)
		}
	}
	return nil
}

// CheckServiceURL accepts the URL of a collector or a helper: http or
// https, a host, no user name, no query or fragment, at most 512 bytes.
func CheckServiceURL(s string) error {
	if len(s) > 512 {
		return errors.New("URL longer than 512 bytes")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || printable(s, 512) != s {
		return fmt.Errorf("%q is not an http or https URL of a service", printable(s, 60))
	}
	return nil
}

func isTestName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// safeID accepts report ids and measurement uids: letters, digits, '_',
// '-' and '.', starting with a letter or a digit, at most n bytes.
func safeID(s string, n int) bool {
	if s == "" || len(s) > n {
		return false
	}
	for i, c := range s {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '-' && c != '.') {
			return false
		}
	}
	return true
}
