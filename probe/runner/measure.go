package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/nettest"
)

// measure runs one test on one target and turns the result into a
// scrubbed measurement line. The measurement's context is not the run's:
// a stopped run lets measurements in progress finish, within their
// deadline, unless Abort is done.
func (r *run) measure(ctx context.Context, j job) *outcome {
	name := j.m.Name()
	o := &outcome{test: name, input: j.target.Input}
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.measureTO)
	defer cancel()
	stopAbort := context.AfterFunc(r.abort, cancel)
	defer stopAbort()

	env := r.cfg.Env
	env.Begin = r.now()
	if opts, ok := r.cfg.TestOptions[name]; ok {
		env.Options = opts
	}
	if env.Logger == nil {
		env.Logger = r.log
	}
	result, err := safeMeasure(mctx, j.m, &env, j.target.Input)
	st := r.stamps[name]
	st.begin, st.runtime = env.Begin, r.now().Sub(env.Begin)
	if err != nil {
		o.err = err.Error()
		r.log.Debug("could not measure", "test", name, "input", j.target.Input, "err", err)
		return o
	}
	m, err := r.cfg.Envelope.build(j.m, j.target.Input, st, r.annots, result)
	if err != nil {
		o.err = err.Error()
		return o
	}
	line, err := r.scrubbed(m)
	if err != nil {
		o.err = err.Error()
		return o
	}
	if leaks := r.cfg.Scrubber.Leaks(line); len(leaks) > 0 {
		r.log.Error("measurement not written: an address survived scrubbing", "test", name, "where", leaks)
		o.leaked = true
		return o
	}
	o.line, o.blocking, o.failure = line, result.Blocking, result.Failure
	return o
}

// scrubbed scrubs m and encodes it as one line, without escaping HTML so
// that bodies stay readable.
func (r *run) scrubbed(m *measurement.Measurement) ([]byte, error) {
	if err := r.cfg.Scrubber.Measurement(m); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encoding the measurement: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// safeMeasure turns a test's panic into an error: one buggy test must not
// end a run of hours.
func safeMeasure(ctx context.Context, m nettest.Measurer, env *nettest.Env, input string) (res *nettest.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			env.Log().Error("test panicked", "test", m.Name(), "panic", p, "stack", string(debug.Stack()))
			res, err = nil, fmt.Errorf("the %s test crashed: %v", m.Name(), p)
		}
	}()
	res, err = m.Measure(ctx, env, input)
	if err == nil && res == nil {
		err = fmt.Errorf("the %s test returned no result", m.Name())
	}
	return res, err
}
