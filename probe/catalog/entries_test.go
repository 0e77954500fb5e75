package catalog

import "testing"

// TestEntries: each entry's test answers to its key and documents itself.
func TestEntries(t *testing.T) {
	for _, name := range Names() {
		e := Tests[name]
		m := e.New()
		if m.Name() != name || m.Version() == "" || e.Input == "" || e.Summary == "" {
			t.Errorf("%s: name %q version %q input %q summary %q", name, m.Name(), m.Version(), e.Input, e.Summary)
		}
	}
}
