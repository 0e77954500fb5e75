package analysis

import (
	"regexp/syntax"
	"sort"
	"strings"
)

// bodyMatcher finds which of ~1,300 blockpage patterns occur in a body in
// one pass over the body, instead of one strings.Contains per pattern
// (which would read a 128 KiB body 1,300 times).
//
// Each literal pattern of four bytes or more is indexed by its first four
// bytes. The scan reads every four-byte window of the body, checks a
// 64 Ki-bit filter, and only on a hit looks the window up and compares the
// candidate patterns. Shorter patterns and regexps are checked one by one;
// a regexp with a literal of four bytes or more runs only when that literal
// occurs.
type bodyMatcher struct {
	order   map[*Fingerprint]int // position in the fingerprint files
	filter  []uint64             // 1<<16 bits, indexed by gramHash
	byGram  map[uint32][]*Fingerprint
	short   []*Fingerprint // literal patterns under four bytes
	regexps []bodyRegexp
	full    []*Fingerprint // the body equals the pattern
	prefix  []*Fingerprint // the body starts with the pattern
}

type bodyRegexp struct {
	fp      *Fingerprint
	literal string // a literal the regexp needs, "" when none is known
}

func gram(s string, i int) uint32 {
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

func gramHash(g uint32) uint32 { return (g * 2654435761) >> 16 }

func newBodyMatcher(fps []*Fingerprint) *bodyMatcher {
	m := &bodyMatcher{
		order:  make(map[*Fingerprint]int, len(fps)),
		filter: make([]uint64, 1<<16/64),
		byGram: map[uint32][]*Fingerprint{},
	}
	for i, f := range fps {
		m.order[f] = i
		switch {
		case f.PatternType == "full":
			m.full = append(m.full, f)
		case f.PatternType == "prefix":
			m.prefix = append(m.prefix, f)
		case f.PatternType == "regexp":
			m.regexps = append(m.regexps, bodyRegexp{fp: f, literal: requiredLiteral(f.Pattern)})
		case len(f.Pattern) < 4:
			m.short = append(m.short, f)
		default:
			g := gram(f.Pattern, 0)
			m.byGram[g] = append(m.byGram[g], f)
			h := gramHash(g)
			m.filter[h/64] |= 1 << (h % 64)
		}
	}
	return m
}

// match returns the fingerprints that match body. Regexps of known false
// positives (scope "fp"), which are slow and only needed to explain an
// http-diff, run only when fpRegexps is set.
func (m *bodyMatcher) match(body string, fpRegexps bool) []*Fingerprint {
	var out []*Fingerprint
	seen := map[*Fingerprint]bool{}
	add := func(f *Fingerprint) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for i := 0; i+4 <= len(body); i++ {
		g := gram(body, i)
		h := gramHash(g)
		if m.filter[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, f := range m.byGram[g] {
			if strings.HasPrefix(body[i:], f.Pattern) {
				add(f)
			}
		}
	}
	for _, f := range m.short {
		if strings.Contains(body, f.Pattern) {
			add(f)
		}
	}
	for _, f := range m.full {
		if body == f.Pattern {
			add(f)
		}
	}
	for _, f := range m.prefix {
		if strings.HasPrefix(body, f.Pattern) {
			add(f)
		}
	}
	for _, r := range m.regexps {
		if r.fp.FalsePositive() && !fpRegexps {
			continue
		}
		if r.literal != "" && !strings.Contains(body, r.literal) {
			continue
		}
		if r.fp.re.MatchString(body) {
			add(r.fp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return m.order[out[i]] < m.order[out[j]] })
	return out
}

// requiredLiteral returns the longest literal string that every match of
// the regexp must contain, or "" when it has none of four bytes or more.
func requiredLiteral(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	best := ""
	var walk func(r *syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpLiteral:
			if r.Flags&syntax.FoldCase == 0 && len(string(r.Rune)) > len(best) {
				best = string(r.Rune)
			}
		case syntax.OpConcat, syntax.OpCapture:
			for _, s := range r.Sub {
				walk(s)
			}
		case syntax.OpPlus:
			walk(r.Sub[0])
		}
	}
	walk(re)
	if len(best) < 4 {
		return ""
	}
	return best
}
