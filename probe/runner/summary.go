package runner

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Summary is what a run did, for the volunteer.
type Summary struct {
	// Output is the results file.
	Output string
	// Targets is the number of distinct inputs in the run's list.
	Targets int
	// Planned is the number of (test, input) pairs this run set out to
	// measure; AlreadyDone those skipped because Output held them.
	Planned, AlreadyDone int
	// Written is the number of measurements appended to Output.
	Written int
	// NotStarted is the number of pairs left when the run was stopped.
	NotStarted int
	// Interrupted is true when the run was stopped before the end.
	Interrupted bool
	// CouldNotRun counts measurements a test could not make (bad input, a
	// bug): nothing was written for them and a re-run tries them again.
	// Problems holds the first of them.
	CouldNotRun int
	Problems    []Problem
	// NotQueued counts measurements written but not handed to the upload
	// queue (Config.Written failed); `probe upload FILE` can queue them.
	NotQueued int
	// Leaked counts measurements not written because an address of the
	// probe survived scrubbing (a bug worth reporting).
	Leaked int
	// Blocked maps each input that looked blocked to how ("dns",
	// "tcp_ip", "tls", "http-failure", "http-diff", "quic"), one method
	// per test that said so.
	Blocked map[string][]string
	// NotBlocked and Undecided count measurements whose test said the
	// target was reachable, or could not tell.
	NotBlocked, Undecided int
	// Failures counts the tests' top-level failures ("generic_timeout_error").
	Failures map[string]int
	// Elapsed is the run's duration.
	Elapsed time.Duration
}

// Problem is a measurement that could not be made.
type Problem struct {
	Test, Input, Err string
}

// maxProblems bounds the problems a Summary keeps (a broken test on a
// long list would otherwise fill memory with the same error).
const maxProblems = 100

// BlockedBy counts the inputs that looked blocked, by method.
func (s *Summary) BlockedBy() map[string]int {
	out := map[string]int{}
	for _, methods := range s.Blocked {
		for _, m := range uniq(methods) {
			out[m]++
		}
	}
	return out
}

func uniq(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}

// methodWords explains each blocking method to a volunteer.
var methodWords = map[string]string{
	"dns":          "the name did not resolve to the site's real address",
	"tcp_ip":       "connections to the site's address failed",
	"tls":          "the secure (TLS) connection was cut or tampered with",
	"http-failure": "the web request failed",
	"http-diff":    "the page differed from what the site serves (a blockpage?)",
	"quic":         "QUIC (HTTP/3) connections failed",
}

// Print writes the summary in plain words.
func (s *Summary) Print(w io.Writer) {
	fmt.Fprintln(w)
	measured := s.Written + s.Leaked + s.CouldNotRun
	switch {
	case s.Interrupted:
		fmt.Fprintf(w, "Stopped after %d of %d measurements (%s). Run the same command again to continue.\n",
			measured, s.Planned, round(s.Elapsed))
	default:
		fmt.Fprintf(w, "Done: %d measurements of %d targets in %s.\n", measured, s.Targets, round(s.Elapsed))
	}
	if s.AlreadyDone > 0 {
		fmt.Fprintf(w, "Skipped %d measurements already in %s.\n", s.AlreadyDone, s.Output)
	}
	by := s.BlockedBy()
	if len(s.Blocked) == 0 {
		fmt.Fprintln(w, "No target looked blocked.")
	} else {
		fmt.Fprintf(w, "%d of %d targets looked blocked:\n", len(s.Blocked), s.Targets)
		for _, m := range slices.Sorted(maps.Keys(by)) {
			fmt.Fprintf(w, "  %-13s %5d  %s\n", m, by[m], methodWords[m])
		}
		inputs := slices.Sorted(maps.Keys(s.Blocked))
		for i, in := range inputs {
			if i == 20 {
				fmt.Fprintf(w, "  … and %d more (see the results file)\n", len(inputs)-i)
				break
			}
			fmt.Fprintf(w, "  - %s (%s)\n", in, strings.Join(uniq(s.Blocked[in]), ", "))
		}
	}
	fmt.Fprintf(w, "Not blocked: %d measurements; could not tell: %d.\n", s.NotBlocked, s.Undecided)
	if len(s.Failures) > 0 {
		fmt.Fprint(w, "Network failures seen:")
		for _, f := range slices.Sorted(maps.Keys(s.Failures)) {
			fmt.Fprintf(w, " %s ×%d;", f, s.Failures[f])
		}
		fmt.Fprintln(w)
	}
	if n := s.CouldNotRun; n > 0 {
		fmt.Fprintf(w, "Could not measure %d (nothing written; a re-run tries again):\n", n)
		for i, p := range s.Problems {
			if i == 5 {
				fmt.Fprintf(w, "  … and %d more\n", n-i)
				break
			}
			fmt.Fprintf(w, "  - %s %s: %s\n", p.Test, p.Input, p.Err)
		}
	}
	if s.Leaked > 0 {
		fmt.Fprintf(w, "NOT WRITTEN: %d measurements still held your IP address after scrubbing. Please report this bug.\n", s.Leaked)
	}
	fmt.Fprintf(w, "Results: %s (%d new measurements; read them with: jq . %s)\n", s.Output, s.Written, s.Output)
}

func round(d time.Duration) time.Duration {
	if d > time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(10 * time.Millisecond)
}
