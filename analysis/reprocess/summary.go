package reprocess

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/warehouse"
)

// Summary is what a run did (or, in a dry run, would do).
type Summary struct {
	DryRun, All bool
	// Version is the rules' version the verdicts were recomputed with.
	Version int
	// InRange counts the stored measurements the filters select; Read
	// those read to be recomputed (all of them with All, otherwise those
	// without a verdict of the current rules).
	InRange, Read int64
	// Unreadable counts stored measurements that no longer parse;
	// FirstUnreadable names the first and says why.
	Unreadable      int64
	FirstUnreadable string
	// Recomputed counts the verdicts computed; UpToDate those identical
	// to the stored verdict (not written); Written those written (or
	// that would be); Changed those whose outcome (status, method,
	// confidence) differs from the stored one's.
	Recomputed, UpToDate, Written, Changed int64
	// Rebuilt lists the months ("2006-01") whose daily counts were
	// rebuilt (or would be).
	Rebuilt []string
	// Interrupted: the run was stopped before the end; run it again.
	Interrupted bool

	changes map[change]int64
}

// outcome is what reports count of a verdict.
type outcome struct {
	status, blocking, confidence string
}

func outcomeOf(v warehouse.VerdictRow) outcome { return outcome{v.Status, v.Blocking, v.Confidence} }

func (o outcome) String() string {
	switch {
	case o == outcome{}:
		return "no verdict"
	case o.blocking != "false" && o.blocking != "null" && o.blocking != "":
		return fmt.Sprintf("%s by %s (%s)", o.status, o.blocking, o.confidence)
	}
	return fmt.Sprintf("%s (%s)", o.status, o.confidence)
}

type change struct{ from, to outcome }

// Change is one kind of change and how many verdicts it concerns.
type Change struct {
	// From and To are outcomes as "blocked by dns (anomaly)", "ok (ok)",
	// "down (ok)", "unknown (failure)" or "no verdict".
	From, To string
	Count    int64
}

// Changes lists the changes of outcome, the most frequent first.
func (s *Summary) Changes() []Change {
	out := make([]Change, 0, len(s.changes))
	for c, n := range s.changes {
		out = append(out, Change{From: c.from.String(), To: c.to.String(), Count: n})
	}
	slices.SortFunc(out, func(a, b Change) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}

// Print writes the summary for the operator.
func (s *Summary) Print(w io.Writer) {
	would := func(done, dry string) string {
		if s.DryRun {
			return dry
		}
		return done
	}
	which := "without a verdict of the current rules"
	if s.All {
		which = "all of them"
	}
	fmt.Fprintf(w, "%s: %d measurements in the range; %d read (%s), %d recomputed with the rules of version %d.\n",
		would("Reprocessed", "Dry run"), s.InRange, s.Read, which, s.Recomputed, s.Version)
	if s.Unreadable > 0 {
		fmt.Fprintf(w, "%d stored measurements could not be read and keep their verdict (first: %s).\n", s.Unreadable, s.FirstUnreadable)
	}
	fmt.Fprintf(w, "%s %d verdicts (%d already up to date); %d change their outcome:\n",
		would("Wrote", "Would write"), s.Written, s.UpToDate, s.Changed)
	for _, c := range s.Changes() {
		fmt.Fprintf(w, "  %8d  %s → %s\n", c.Count, c.From, c.To)
	}
	if len(s.Rebuilt) > 0 {
		fmt.Fprintf(w, "%s the daily counts of %s.\n", would("Rebuilt", "Would rebuild"), strings.Join(s.Rebuilt, ", "))
	}
	if s.Interrupted {
		fmt.Fprintln(w, "Interrupted: the tables are consistent; run the same command again to finish.")
	}
}

// progress prints a line every few seconds.
type progress struct {
	w       io.Writer
	sum     *Summary
	windows int
	current int
	from    time.Time
	last    time.Time
}

func (p *progress) printf(format string, args ...any) {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, format, args...)
}

func (p *progress) window(i int, w window) {
	p.current, p.from = i+1, w.from
	if p.last.IsZero() {
		p.last = time.Now()
	}
}

func (p *progress) tick() {
	if p.w == nil || time.Since(p.last) < 2*time.Second {
		return
	}
	p.last = time.Now()
	p.line()
}

func (p *progress) line() {
	p.printf("reprocess: at %s (part %d of %d): %d read, %d written, %d changed\n",
		p.from.Format(time.DateOnly), p.current, p.windows, p.sum.Read, p.sum.Written, p.sum.Changed)
}

func (p *progress) done() {
	if p.w != nil && p.windows > 0 {
		p.line()
	}
}
