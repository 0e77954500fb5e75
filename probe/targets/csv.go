package targets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxListBytes bounds the size of a list file (Citizen Lab's global list
// is about 200 kB).
const MaxListBytes = 64 << 20

// errTooLarge is returned by limitedReader past MaxListBytes.
var errTooLarge = fmt.Errorf("the list is larger than %d MiB", MaxListBytes>>20)

// limitedReader fails, rather than stopping silently, past its limit: a
// list cut short would measure fewer targets without saying so.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// readCSV reads a Citizen Lab test list: a header naming at least "url"
// and usually "category_code", then one URL per record. Every URL must be
// http or https.
func readCSV(r io.Reader) ([]Target, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("CSV header: %w", err)
	}
	urlCol, catCol := -1, -1
	for i, name := range header {
		switch strings.TrimSpace(strings.TrimPrefix(strings.ToLower(name), "\ufeff")) {
		case "url":
			urlCol = i
		case "category_code":
			catCol = i
		}
	}
	if urlCol < 0 {
		return nil, errors.New(`CSV header has no "url" column`)
	}
	var out []Target
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if urlCol >= len(rec) {
			return nil, fmt.Errorf("line %d: no url field", line)
		}
		u := strings.TrimSpace(rec[urlCol])
		if err := CheckURL(u); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		t := Target{Input: u}
		if catCol >= 0 && catCol < len(rec) {
			t.Category = strings.ToUpper(strings.TrimSpace(rec[catCol]))
		}
		if len(out) == MaxTargets {
			return nil, fmt.Errorf("more than %d targets", MaxTargets)
		}
		out = append(out, t)
	}
}
