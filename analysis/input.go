package analysis

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sonde-project/sonde/internal/measurement"
)

// MaxRecordSize bounds one input record (a line, or a whole file holding
// one measurement): OONI's largest measurements are a few MiB.
const MaxRecordSize = 32 << 20

// Reader reads OONI-format measurements from a stream: JSON Lines (one
// measurement per line), one measurement per file (pretty-printed or not),
// OONI API measurement_meta answers (their raw_measurement), recorded API
// responses ({"status":…, "body":"<json>"}) and the fastpath's
// {"format":"json","content":…} envelope.
//
// A record that is not a measurement gives a *RecordError; reading goes
// on with the next record.
type Reader struct {
	name  string
	br    *bufio.Reader
	line  int
	whole []byte // a whole-file record waiting to be returned
	// pending is the first line, read to decide the format.
	pending []byte
	mode    int
}

const (
	modeStart = iota
	modeLines
	modeDone
)

// NewReader reads from r; name (a file name, or "-") is used in errors.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{name: name, br: bufio.NewReaderSize(r, 64<<10)}
}

// RecordError is a record that could not be read as a measurement.
type RecordError struct {
	File string
	Line int // first line of the record
	Err  error
}

func (e *RecordError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *RecordError) Unwrap() error { return e.Err }

// ErrTooLarge is a record larger than MaxRecordSize.
var ErrTooLarge = fmt.Errorf("record larger than %d MiB", MaxRecordSize>>20)

// Next returns the next measurement and the line it started on. It returns
// io.EOF at the end, a *RecordError for a bad record (call Next again to
// go on), and other errors when the stream itself fails.
func (r *Reader) Next() (*measurement.Measurement, int, error) {
	for {
		switch r.mode {
		case modeDone:
			return nil, 0, io.EOF
		case modeStart:
			if err := r.start(); err != nil {
				return nil, 0, err
			}
			if r.whole != nil {
				b := r.whole
				r.whole, r.mode = nil, modeDone
				m, err := ParseRecord(b)
				if err != nil {
					return nil, r.line, &RecordError{r.name, r.line, err}
				}
				return m, r.line, nil
			}
		case modeLines:
			line, err := r.pending, error(nil)
			if line != nil {
				r.pending = nil
			} else {
				line, err = r.readLine()
			}
			if errors.Is(err, io.EOF) && len(line) == 0 {
				r.mode = modeDone
				continue
			}
			if errors.Is(err, ErrTooLarge) {
				return nil, r.line, &RecordError{r.name, r.line, err}
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, r.line, fmt.Errorf("%s:%d: %w", r.name, r.line, err)
			}
			line = bytes.TrimSpace(line)
			if len(line) == 0 {
				continue
			}
			m, perr := ParseRecord(line)
			if perr != nil {
				return nil, r.line, &RecordError{r.name, r.line, perr}
			}
			return m, r.line, nil
		}
	}
}

// start decides between JSON Lines and one record per file: when the
// first line is not a whole JSON value, the whole input is read (up to
// MaxRecordSize) as one value; if that fails too, it is read as lines after
// all, so that one bad first line does not lose the rest.
func (r *Reader) start() error {
	r.mode = modeLines
	for {
		b, err := r.br.Peek(1)
		if errors.Is(err, io.EOF) {
			r.mode = modeDone
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		if b[0] != ' ' && b[0] != '\n' && b[0] != '\r' && b[0] != '\t' {
			break
		}
		if c, _ := r.br.ReadByte(); c == '\n' {
			r.line++
		}
	}
	startLine := r.line
	first, err := r.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		if errors.Is(err, ErrTooLarge) {
			return &RecordError{r.name, r.line, err}
		}
		return fmt.Errorf("%s: %w", r.name, err)
	}
	if json.Valid(bytes.TrimSpace(first)) {
		r.pending = first
		return nil
	}
	rest, err := io.ReadAll(io.LimitReader(r.br, int64(MaxRecordSize+1-len(first))))
	if err != nil {
		return fmt.Errorf("%s: %w", r.name, err)
	}
	all := append(first, rest...)
	if len(all) <= MaxRecordSize && json.Valid(all) {
		r.whole = all
		r.line = startLine + 1
		return nil
	}
	// Lines after all: replay what was read, then the rest of the stream.
	r.br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(all), r.br), 64<<10)
	r.line = startLine
	return nil
}

// readLine reads one line, bounded by MaxRecordSize; an over-long line is
// skipped whole and reported.
func (r *Reader) readLine() ([]byte, error) {
	r.line++
	var buf []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxRecordSize {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.br.ReadSlice('\n')
			}
			return nil, ErrTooLarge
		}
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return buf, err
	}
}
