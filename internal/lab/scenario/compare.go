package scenario

import (
	"fmt"
	"strings"

	"github.com/sonde-project/sonde/internal/verdict"
)

// Mismatch is a target whose verdict is not the expected one.
type Mismatch struct {
	Target Target
	// Got is the verdict found; nil when none was.
	Got *verdict.Verdict
}

func (m Mismatch) String() string {
	want := fmt.Sprintf("blocking %s, confidence %s", m.Target.Expect.Blocking, m.Target.Expect.Confidence)
	if a := m.Target.Expect.Accessible; a != nil {
		want += fmt.Sprintf(", accessible %t", *a)
	}
	if m.Got == nil {
		return fmt.Sprintf("%s %s: no verdict; want %s", m.Target.TestName(), m.Target.URL, want)
	}
	b := Blocking{m.Got.Blocking}.String()
	if b == "" {
		b = "null"
	}
	got := fmt.Sprintf("blocking %s, confidence %s", b, m.Got.Confidence)
	if m.Target.Expect.Accessible != nil {
		got += ", accessible " + accessibleString(m.Got.Accessible)
	}
	s := fmt.Sprintf("%s %s: got %s; want %s", m.Target.TestName(), m.Target.URL, got, want)
	if m.Got.Explanation != "" {
		s += " (" + m.Got.Explanation + ")"
	}
	return s
}

// Compare matches verdicts to the scenario's targets (by test name and
// input; a trailing slash does not matter) and returns the targets whose
// verdict differs from the expectation in blocking or confidence (or
// accessible, when the target says), or has no verdict at all. When a target has several verdicts (repeated
// measurements), each must match.
func (s *Scenario) Compare(verdicts []verdict.Verdict) []Mismatch {
	byKey := map[string][]*verdict.Verdict{}
	for i := range verdicts {
		v := &verdicts[i]
		k := key(v.TestName, v.Input)
		byKey[k] = append(byKey[k], v)
	}
	var out []Mismatch
	for _, t := range s.Targets {
		got := byKey[key(t.TestName(), t.URL)]
		if len(got) == 0 {
			out = append(out, Mismatch{Target: t})
			continue
		}
		for _, v := range got {
			if !t.Expect.Matches(v) {
				out = append(out, Mismatch{Target: t, Got: v})
			}
		}
	}
	return out
}

func key(test, input string) string {
	return test + " " + strings.TrimSuffix(input, "/")
}

// Matches says whether v is the expected verdict: the same blocking and
// confidence, and accessibility when the expectation names it.
func (e Expect) Matches(v *verdict.Verdict) bool {
	if (Blocking{v.Blocking}).String() != e.Blocking.String() || string(v.Confidence) != e.Confidence {
		return false
	}
	return e.Accessible == nil || (v.Accessible != nil && *v.Accessible == *e.Accessible)
}

func accessibleString(a *bool) string {
	if a == nil {
		return "null"
	}
	return fmt.Sprint(*a)
}
