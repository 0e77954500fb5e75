package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// maxCategoryRows bounds a test list read by ReadCategories.
const maxCategoryRows = 1_000_000

// ReadCategories reads a Citizen Lab test list (CSV with a header naming
// at least "url" and "category_code") into a map from domain (the URL's
// host, lower case) to category code. The first category given for a
// domain wins.
func ReadCategories(r io.Reader) (map[string]string, error) {
	cr := csv.NewReader(io.LimitReader(r, 256<<20))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("test list: %w", err)
	}
	urlCol, catCol := -1, -1
	for i, h := range header {
		switch strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) {
		case "url":
			urlCol = i
		case "category_code":
			catCol = i
		}
	}
	if urlCol < 0 || catCol < 0 {
		return nil, errors.New(`test list: the header must name the "url" and "category_code" columns (Citizen Lab format)`)
	}
	out := map[string]string{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("test list: %w", err)
		}
		if line > maxCategoryRows {
			return nil, fmt.Errorf("test list: more than %d rows", maxCategoryRows)
		}
		if urlCol >= len(rec) || catCol >= len(rec) {
			return nil, fmt.Errorf("test list: line %d has %d columns", line, len(rec))
		}
		u, err := url.Parse(strings.TrimSpace(rec[urlCol]))
		var domain string
		if err == nil {
			domain = strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
		}
		if domain == "" {
			return nil, fmt.Errorf("test list: line %d: %q is not a URL with a host name", line, clipText(rec[urlCol]))
		}
		if _, seen := out[domain]; !seen {
			out[domain] = strings.ToUpper(strings.TrimSpace(rec[catCol]))
		}
	}
}

func clipText(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
