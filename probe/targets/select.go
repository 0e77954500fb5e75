package targets

import "strings"

// Dedupe removes repeated inputs, keeping the first (and its category).
func Dedupe(ts []Target) []Target {
	seen := make(map[string]bool, len(ts))
	out := ts[:0:0]
	for _, t := range ts {
		if seen[t.Input] {
			continue
		}
		seen[t.Input] = true
		out = append(out, t)
	}
	return out
}

// OptOut removes the targets whose category is in codes (Citizen Lab
// category codes, any case). Targets without a category are kept: a plain
// URL list says nothing about categories.
func OptOut(ts []Target, codes []string) (kept []Target, dropped int) {
	if len(codes) == 0 {
		return ts, 0
	}
	skip := make(map[string]bool, len(codes))
	for _, c := range codes {
		skip[strings.ToUpper(strings.TrimSpace(c))] = true
	}
	for _, t := range ts {
		if t.Category != "" && skip[t.Category] {
			dropped++
			continue
		}
		kept = append(kept, t)
	}
	return kept, dropped
}

// CheckCategory rejects what is not a category code: 2 to 10 ASCII
// letters (Citizen Lab's codes are "NEWS", "HUMR", "LGBT", "XED", …).
func CheckCategory(code string) bool {
	if len(code) < 2 || len(code) > 10 {
		return false
	}
	for _, c := range code {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
