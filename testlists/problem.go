package testlists

import (
	"fmt"
	"strings"
)

// Severity says whether a problem makes a list unusable.
type Severity int

// Severities.
const (
	// Error: the row (or file) is wrong; `testlists validate` fails, the
	// collector refuses to load the lists, upstream's CI would reject it.
	Error Severity = iota
	// Warning: the list works but something deserves a look (a
	// near-duplicate, a dead domain, a country missing from the legend).
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Problem is one thing wrong with a list, addressed to its maintainer: where
// (file and line), what, and how to fix it. It is an error.
type Problem struct {
	File     string
	Line     int // 1-based, the header is line 1; 0 when about the whole file
	Severity Severity
	Msg      string // what is wrong, in plain words
	Fix      string // what to do about it; "" when the message says it
}

// Error formats the problem as `file:line: message (fix: …)`, the form
// editors and CI logs turn into links. Warnings say so after the position.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Msg)
	if p.Fix != "" {
		b.WriteString(" (fix: ")
		b.WriteString(p.Fix)
		b.WriteString(")")
	}
	return b.String()
}

// Errors returns the problems of severity Error.
func Errors(ps []*Problem) []*Problem {
	var out []*Problem
	for _, p := range ps {
		if p.Severity == Error {
			out = append(out, p)
		}
	}
	return out
}

// LoadError is returned when lists have errors: the collector keeps
// serving what it had, and the operator reads the problems.
type LoadError struct {
	Dir      string
	Problems []*Problem // errors only
}

// maxShown bounds how many problems one error message lists.
const maxShown = 20

func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "test lists in %s: %d error(s)", e.Dir, len(e.Problems))
	for i, p := range e.Problems {
		if i == maxShown {
			fmt.Fprintf(&b, "\n  … and %d more (run `testlists validate %s`)", len(e.Problems)-maxShown, e.Dir)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// problems collects the problems of one file.
type problems struct {
	file string
	list []*Problem
}

func (ps *problems) add(line int, sev Severity, msg, fix string) {
	ps.list = append(ps.list, &Problem{File: ps.file, Line: line, Severity: sev, Msg: msg, Fix: fix})
}
