// Package targets reads what the probe measures: a Citizen Lab test list
// (CSV), a plain file of URLs, or inputs given one by one on the command
// line. It validates, removes duplicates and drops the categories the
// volunteer opted out of.
package targets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"unicode"
)

// Target is one input to measure.
type Target struct {
	// Input is what the tests are given: a URL for the web tests, a domain
	// or an endpoint for others (each test documents what it takes).
	Input string
	// Category is the Citizen Lab category code ("NEWS", "HUMR", …), or ""
	// when the list does not say.
	Category string
}

// Limits on what a list may hold. A test list is a local file the
// volunteer chose, but it may come from anywhere: bound it anyway.
const (
	MaxInputLen  = 2048    // bytes in one input (URL)
	MaxTargets   = 1 << 20 // targets in one list
	maxLineBytes = 64 << 10
)

// ErrEmpty is returned for a list without any target.
var ErrEmpty = errors.New("the list has no targets")

// CheckInput rejects an input that no test could take: empty, too long,
// or holding spaces or control characters.
func CheckInput(s string) error {
	switch {
	case s == "":
		return errors.New("empty input")
	case len(s) > MaxInputLen:
		return fmt.Errorf("input longer than %d bytes", MaxInputLen)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar {
			return fmt.Errorf("input %q holds a space or a control character", truncate(s))
		}
	}
	return nil
}

// CheckURL rejects anything but an absolute http or https URL with a host.
// Test lists and the collector's check-in hold only such URLs.
func CheckURL(s string) error {
	if err := CheckInput(s); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL", truncate(s))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: only http and https URLs can be measured", truncate(s))
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%q has no host name", truncate(s))
	}
	if u.User != nil {
		return fmt.Errorf("%q holds a user name or password", truncate(s))
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// FromInputs turns inputs given one by one (-i) into targets.
func FromInputs(inputs []string) ([]Target, error) {
	var out []Target
	for _, in := range inputs {
		in = strings.TrimSpace(in)
		if err := CheckInput(in); err != nil {
			return nil, fmt.Errorf("-i: %w", err)
		}
		out = append(out, Target{Input: in})
	}
	return out, nil
}

// LoadFile reads a list from a file (see Read).
func LoadFile(path string) ([]Target, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("test list: %w", err)
	}
	defer f.Close()
	ts, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("test list %s: %w", path, err)
	}
	return ts, nil
}

// Read reads a list: a Citizen Lab test list when the first line is its
// header ("url,category_code,…"), otherwise one input per line, with blank
// lines and lines starting with '#' ignored.
func Read(r io.Reader) ([]Target, error) {
	br := bufio.NewReaderSize(&limitedReader{r: r, left: MaxListBytes}, 4096)
	head, _ := br.Peek(64)
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	var (
		ts  []Target
		err error
	)
	if bytes.HasPrefix(bytes.ToLower(head), []byte("url,")) {
		ts, err = readCSV(br)
	} else {
		ts, err = readLines(br)
	}
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, ErrEmpty
	}
	return ts, nil
}

func readLines(r io.Reader) ([]Target, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLineBytes)
	var out []Target
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := CheckInput(line); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if len(out) == MaxTargets {
			return nil, fmt.Errorf("more than %d targets", MaxTargets)
		}
		out = append(out, Target{Input: line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the list: %w", err)
	}
	return out, nil
}
