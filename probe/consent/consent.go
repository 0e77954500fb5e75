// Package consent asks the volunteer, once, whether they understand what
// the probe does and agree to run it, and remembers the answer in the
// probe's directory. The text is versioned: when what the probe does
// changes in a way that matters to the volunteer, Version goes up and the
// question is asked again.
package consent

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Version of Text. Bump it when the risks or what is published change.
const Version = 1

// Text explains, in plain words, what running the probe means.
const Text = `Before you run the sonde probe, please read this.

What the probe does
  It checks whether websites and apps can be reached from your network:
  it looks up their names (DNS), connects to them and loads their pages,
  as a web browser would, and notes what went wrong and how. To tell
  censorship from a site being down, it may ask a "control" server outside
  your country what the same site looks like from there.

What is kept and published
  Every result is written to the file you choose. Unless you pass
  --no-upload, results are also sent to the collector, where they are
  published openly for researchers and the public.
  Results include your country and your network provider (for example
  "AS12345, Example Telecom") and the time of the test.
  Your IP address is removed from every result before it is written,
  wherever it appears. Results do not include your name or your files.

The risks
  Anyone who can watch your Internet connection (your provider, your
  employer, your government) can see that this computer is connecting to
  the sites being tested, including sites that are blocked or sensitive,
  and may be able to tell that you are running a measurement tool.
  The probe does not hide this: it is not a privacy or anonymity tool.
  In some countries, accessing blocked sites or measuring censorship may
  be against the law or may put you at risk. If you are unsure, do not run
  the probe, or test only sites that are safe for you (use
  --categories-opt-out to leave out categories such as PORN, LGBT, POLR,
  REL, ANON).

You can stop the probe at any time with Ctrl-C.`

// Record is the stored consent.
type Record struct {
	Version  int    `json:"version"`
	AgreedAt string `json:"agreed_at"`
	// How is "interactive" or "--yes".
	How string `json:"how"`
}

const file = "consent.json"

// ErrNeeded is returned when consent was never given and cannot be asked
// for (no terminal) and --yes was not passed.
var ErrNeeded = errors.New("the probe needs your consent before its first run: run it once in a terminal " +
	"to read what it does and answer, or read `probe consent` and pass --yes")

// ErrRefused is returned when the volunteer said no.
var ErrRefused = errors.New("you did not agree: nothing was measured")

// Given reports whether consent to the current Version is recorded in dir.
func Given(dir string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("consent: %w", err)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return false, nil // unreadable: ask again
	}
	return r.Version >= Version, nil
}

// Save records consent to the current Version in dir.
func Save(dir, how string, now time.Time) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("consent: %w", err)
	}
	b, _ := json.Marshal(Record{Version: Version, AgreedAt: now.UTC().Format(time.RFC3339), How: how})
	if err := os.WriteFile(filepath.Join(dir, file), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("consent: %w", err)
	}
	return nil
}

// Ask shows Text on w and reads the answer from r: "yes" agrees; anything
// else, or the end of input, does not.
func Ask(r io.Reader, w io.Writer) (bool, error) {
	fmt.Fprintln(w, Text)
	fmt.Fprint(w, "\nDo you understand and agree? Type yes to continue: ")
	line, err := bufio.NewReader(io.LimitReader(r, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("consent: %w", err)
	}
	fmt.Fprintln(w)
	return strings.EqualFold(strings.TrimSpace(line), "yes"), nil
}

// Ensure makes sure consent is recorded in dir before a run: already
// given, given now with --yes (yes), or asked for when interactive.
func Ensure(dir string, yes, interactive bool, in io.Reader, out io.Writer) error {
	ok, err := Given(dir)
	if err != nil || ok {
		return err
	}
	switch {
	case yes:
		return Save(dir, "--yes", time.Now())
	case !interactive:
		return ErrNeeded
	}
	agreed, err := Ask(in, out)
	if err != nil {
		return err
	}
	if !agreed {
		return ErrRefused
	}
	return Save(dir, "interactive", time.Now())
}
