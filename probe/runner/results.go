package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxLineBytes bounds one line of a results file when it is read back for
// resuming. The collector refuses measurements over 4 MiB; this leaves
// room for what a local run may write.
const MaxLineBytes = 64 << 20

// pair names one measurement of a run: a test on an input.
type pair struct{ test, input string }

// Results is the local JSONL file of a run: one measurement per line,
// appended and synced to disk as measurements finish. It is not safe for
// concurrent use; the runner writes from one goroutine.
type Results struct {
	f    *os.File
	path string
	done map[pair]bool
	size int64 // bytes of complete lines
	// Torn is the number of bytes of an unfinished last line that
	// OpenResults removed (a crash in the middle of a write).
	Torn int64
	// Unreadable counts complete lines that are not measurements; they
	// are kept as they are and do not count as done.
	Unreadable int
}

// OpenResults opens (or creates) a results file for appending and reads
// which (test, input) pairs it already holds. An unfinished last line,
// left by a crash or a full disk, is cut off so that the file stays one
// JSON object per line.
func OpenResults(path string) (*Results, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results file: %w", err)
	}
	r := &Results{f: f, path: path, done: map[pair]bool{}}
	if err := r.scan(); err != nil {
		f.Close()
		return nil, fmt.Errorf("results file %s: %w", path, err)
	}
	return r, nil
}

// lineKeys is the part of a measurement that says what it measured.
type lineKeys struct {
	TestName string  `json:"test_name"`
	Input    *string `json:"input"`
}

func (r *Results) scan() error {
	br := bufio.NewReaderSize(r.f, 64<<10)
	var offset int64
	for {
		line, err := readLine(br)
		if err == io.EOF && len(line) > 0 {
			// A last line without its newline: a torn write.
			if err := r.f.Truncate(offset); err != nil {
				return fmt.Errorf("cutting off an unfinished last line: %w", err)
			}
			r.Torn = int64(len(line))
			r.size = offset
			return r.f.Sync()
		}
		if err == io.EOF {
			r.size = offset
			return nil
		}
		if err != nil {
			return err
		}
		offset += int64(len(line))
		var k lineKeys
		body := bytes.TrimSpace(line)
		if len(body) == 0 {
			continue
		}
		if json.Unmarshal(body, &k) != nil || k.TestName == "" {
			r.Unreadable++
			continue
		}
		input := ""
		if k.Input != nil {
			input = *k.Input
		}
		r.done[pair{k.TestName, input}] = true
	}
}

var errLineTooLong = fmt.Errorf("a line is longer than %d MiB: is this a results file?", MaxLineBytes>>20)

// readLine returns the next line with its newline, or what is left
// before EOF without one.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineBytes {
			return nil, errLineTooLong
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && len(line) == 0 {
			return nil, io.EOF
		}
		return line, err
	}
}

// Path returns the file's path.
func (r *Results) Path() string { return r.path }

// Done reports whether the file already holds a measurement of test on
// input.
func (r *Results) Done(test, input string) bool { return r.done[pair{test, input}] }

// Len is the number of measurements the file held when opened, plus
// those appended since.
func (r *Results) Len() int { return len(r.done) }

// Append writes lines (each one JSON object without its newline) in one
// write and syncs the file, so that a crash loses at most this group and
// never leaves a torn line before it. After an error the file is as it
// was before the call, as far as the system allows.
func (r *Results) Append(lines ...[]byte) error {
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	if _, err := r.f.Write(buf.Bytes()); err != nil {
		// Take back a partial write (a full disk), so that the next
		// append does not follow half a line.
		_ = r.f.Truncate(r.size)
		return fmt.Errorf("writing %s: %w", r.path, err)
	}
	r.size += int64(buf.Len())
	if err := r.f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", r.path, err)
	}
	return nil
}

// mark records a pair as done after Append.
func (r *Results) mark(test, input string) { r.done[pair{test, input}] = true }

// Close closes the file.
func (r *Results) Close() error { return r.f.Close() }

// ForEachLine calls fn with each complete line of a results file, without
// its newline; an unfinished last line is skipped. The slice is reused:
// fn must copy what it keeps.
func ForEachLine(path string, fn func(line []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := readLine(br)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("results file %s: %w", path, err)
		}
		if body := bytes.TrimSpace(line); len(body) > 0 {
			if err := fn(body); err != nil {
				return err
			}
		}
	}
}
