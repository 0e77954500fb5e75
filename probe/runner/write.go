package runner

// maxGroup bounds how many measurements share one write and one fsync.
const maxGroup = 64

// write is the run's only writer: it appends finished measurements to the
// results file in small groups (one write and one fsync per group, so
// that 32 parallel measurements do not wait on 32 fsyncs), then hands
// each one to Config.Written, then updates the summary and the progress.
// After a write error it calls stop, writes nothing more and drains done.
func (r *run) write(done <-chan *outcome, stop func()) {
	for o := range done {
		group := []*outcome{o}
	more:
		for len(group) < maxGroup {
			select {
			case o, ok := <-done:
				if !ok {
					break more
				}
				group = append(group, o)
			default:
				break more
			}
		}
		r.commit(group, stop)
	}
}

func (r *run) commit(group []*outcome, stop func()) {
	var lines [][]byte
	for _, o := range group {
		if o.line != nil {
			lines = append(lines, o.line)
		}
	}
	if r.writeErr == nil && len(lines) > 0 {
		if err := r.res.Append(lines...); err != nil {
			r.writeErr = err
			stop()
			r.prog.note("stopping: %v", err)
		}
	}
	for _, o := range group {
		if o.line != nil && r.writeErr != nil {
			// Not written: a re-run measures it again.
			continue
		}
		r.tally(o)
		if o.line == nil {
			continue
		}
		r.res.mark(o.test, o.input)
		if r.cfg.Written != nil {
			if err := r.cfg.Written(o.line); err != nil {
				r.log.Warn("measurement written but not queued for upload", "test", o.test, "err", err)
				r.summary.NotQueued++
			}
		}
	}
}

// tally adds one outcome to the summary and the progress display.
func (r *run) tally(o *outcome) {
	s := &r.summary
	switch {
	case o.err != "":
		s.CouldNotRun++
		if len(s.Problems) < maxProblems {
			s.Problems = append(s.Problems, Problem{Test: o.test, Input: o.input, Err: o.err})
		}
	case o.leaked:
		s.Leaked++
	default:
		s.Written++
		switch b := o.blocking; {
		case b.Decided && b.Method != "":
			s.Blocked[o.input] = append(s.Blocked[o.input], b.Method)
		case b.Decided:
			s.NotBlocked++
		default:
			s.Undecided++
		}
		if o.failure != "" {
			s.Failures[o.failure]++
		}
	}
	r.prog.record(o)
}
