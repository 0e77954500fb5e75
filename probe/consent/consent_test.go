package consent

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEnsure(t *testing.T) {
	cases := []struct {
		name             string
		yes, interactive bool
		answer           string
		want             error
		recorded         string
	}{
		{"non-interactive without --yes", false, false, "", ErrNeeded, ""},
		{"--yes", true, false, "", nil, "--yes"},
		{"interactive yes", false, true, "YES\n", nil, "interactive"},
		{"interactive no", false, true, "no\n", ErrRefused, ""},
		{"interactive end of input", false, true, "", ErrRefused, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "probe")
			var out bytes.Buffer
			err := Ensure(dir, c.yes, c.interactive, strings.NewReader(c.answer), &out)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.interactive && !strings.Contains(out.String(), "Your IP address is removed") {
				t.Errorf("the text was not shown:\n%s", out.String())
			}
			given, _ := Given(dir)
			if given != (c.recorded != "") {
				t.Fatalf("given = %v", given)
			}
			if c.recorded != "" {
				b, _ := os.ReadFile(filepath.Join(dir, "consent.json"))
				if !strings.Contains(string(b), `"how":"`+c.recorded+`"`) {
					t.Errorf("consent.json = %s", b)
				}
				// Once given, it is not asked again, even without a terminal.
				if err := Ensure(dir, false, false, strings.NewReader(""), &out); err != nil {
					t.Errorf("second run: %v", err)
				}
			}
		})
	}
}

func TestAskedAgainWhenTheTextChanges(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "consent.json"), []byte(`{"version":0,"agreed_at":"2020-01-01T00:00:00Z","how":"interactive"}`), 0o600)
	if ok, _ := Given(dir); ok {
		t.Error("consent to an older text counts")
	}
	if err := Save(dir, "--yes", time.Now()); err != nil {
		t.Fatal(err)
	}
	if ok, _ := Given(dir); !ok {
		t.Error("saved consent does not count")
	}
}
