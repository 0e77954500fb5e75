package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	h := newHarness(t, nil)
	if code := h.run("--help"); code != 0 || !strings.Contains(h.stdout.String(), "probe run -t TEST") {
		t.Errorf("--help: %d\n%s", code, h.stdout.String())
	}
	if code := h.run(); code != exitUsage || !strings.Contains(h.stderr.String(), "Usage:") {
		t.Errorf("no command: %d", code)
	}
	if code := h.run("frobnicate"); code != exitUsage || !strings.Contains(h.stderr.String(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %s", code, h.stderr.String())
	}
	for cmd, want := range map[string]string{"run": runHelp, "list": listHelp, "upload": uploadHelp,
		"consent": consentHelp, "version": versionHelp} {
		if code := h.run(cmd, "--help"); code != 0 || h.stdout.String() != want {
			t.Errorf("%s --help: exit %d, printed %q", cmd, code, h.stdout.String())
		}
	}
}

// TestRunHelpNamesEveryFlag: no flag is left out of the help text.
func TestRunHelpNamesEveryFlag(t *testing.T) {
	var o runOptions
	fs := newRunFlags(&o, io.Discard)
	fs.VisitAll(func(f *flag.Flag) {
		prefix := "--"
		if len(f.Name) == 1 {
			prefix = "-"
		}
		if !strings.Contains(runHelp, "  "+prefix+f.Name+" ") {
			t.Errorf("run --help does not explain %s%s", prefix, f.Name)
		}
	})
}

func TestUsageMistakes(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "-i", "x", "-o", "r.jsonl"}, "run: name a test with -t"},
		{[]string{"run", "-t", "echo", "-i", "x"}, "run: say where to write the results with -o"},
		{[]string{"run", "-t", "nope", "-o", "r", "-i", "x", "--no-upload"}, `run: there is no test "nope"; the tests are: echo`},
		{[]string{"run", "-t", "echo", "-o", "r", "-O", "novalue", "-i", "x", "--no-upload", "--yes"}, `-O "novalue": write KEY=VALUE`},
		{[]string{"run", "-t", "echo", "-o", "r", "--no-upload", "--collector", "http://c/"}, "--no-upload and --collector contradict"},
		{[]string{"run", "-t", "echo", "-o", "r", "--parallel", "0"}, "--parallel 0: give a number from 1 to 1024"},
		{[]string{"run", "-t", "echo", "-o", "r", "--step-timeout", "-1s"}, "--step-timeout must be positive"},
		{[]string{"run", "-t", "echo", "-o", "r", "--probe-cc", "Italy"}, `--probe-cc "Italy": give a two-letter`},
		{[]string{"run", "-t", "echo", "-o", "r", "--probe-asn", "ASX"}, `--probe-asn "ASX": give AS and a number`},
		{[]string{"run", "-t", "echo", "-o", "r", "--resolver", "8.8.8.8"}, `--resolver "8.8.8.8": give udp://IP:53`},
		{[]string{"run", "-t", "echo", "-o", "r", "--tls-fingerprint", "netscape"}, `--tls-fingerprint "netscape": choose one of chrome`},
		{[]string{"run", "-t", "echo", "-o", "r", "--control", "ftp://th/"}, "--control: "},
		{[]string{"run", "-t", "echo", "-o", "r", "--proxy", "tor"}, `--proxy "tor": use socks5://HOST:PORT`},
		{[]string{"run", "-t", "echo", "-o", "r", "--public-ip-url", "whatismyip"}, `--public-ip-url "whatismyip": give an http or https URL`},
		{[]string{"run", "-t", "echo", "-o", "r", "--categories-opt-out", "PORN,x-y"}, `"x-y" is not a category code`},
		{[]string{"run", "-t", "echo", "-o", "r", "https://example.org/"}, `run: unexpected "https://example.org/": give targets with -i or -f`},
		{[]string{"run", "--bogus"}, "run: flag provided but not defined: -bogus"},
		{[]string{"run", "-t", "echo", "-o", "r", "--no-upload", "--yes"}, "nothing to measure: give targets with -i URL or -f LIST"},
		{[]string{"run", "-t", "echo", "-o", "r", "--yes", "-i", "x"}, "no collector to upload to: give --collector URL, or --no-upload"},
	}
	for _, c := range cases {
		h := newHarness(t, nil)
		if code := h.run(c.args...); code != exitUsage || !strings.Contains(h.stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, h.stderr.String(), c.want)
		}
	}
}

func TestConsentIsNeededFirst(t *testing.T) {
	h := newHarness(t, nil)
	out := filepath.Join(h.dir, "r.jsonl")
	code := h.run("run", "-t", "echo", "-i", "https://a.example/", "-o", out, "--no-upload")
	if code != exitError || !strings.Contains(h.stderr.String(), "the probe needs your consent before its first run") {
		t.Fatalf("exit %d, stderr %s", code, h.stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("measured without consent")
	}
	// Asked on a terminal: "no" measures nothing, "yes" is remembered.
	h.app.interactive, h.app.stdin = true, strings.NewReader("no\n")
	if code := h.run("run", "-t", "echo", "-i", "https://a.example/", "-o", out, "--no-upload"); code != exitError ||
		!strings.Contains(h.stderr.String(), "Your IP address is removed") || !strings.Contains(h.stderr.String(), "you did not agree") {
		t.Fatalf("refused: exit %d, stderr %s", code, h.stderr.String())
	}
	h.app.stdin = strings.NewReader("yes\n")
	if code := h.run("run", "-t", "echo", "-i", "https://a.example/", "-o", out, "--no-upload"); code != 0 {
		t.Fatalf("agreed: exit %d, stderr %s", code, h.stderr.String())
	}
	h.app.interactive = false
	if code := h.run("run", "-t", "echo", "-i", "https://b.example/", "-o", out, "--no-upload"); code != 0 {
		t.Fatalf("consent was not remembered: exit %d, stderr %s", code, h.stderr.String())
	}
}

func TestListAndVersion(t *testing.T) {
	h := newHarness(t, nil)
	if code := h.run("list"); code != 0 || !strings.Contains(h.stdout.String(), "echo               echoes its input\n                   takes: anything\n") {
		t.Errorf("list: %d %q", code, h.stdout.String())
	}
	if code := h.run("version"); code != 0 || !strings.HasPrefix(h.stdout.String(), "sonde probe ") {
		t.Errorf("version: %d %q", code, h.stdout.String())
	}
}

func TestConsentCommand(t *testing.T) {
	h := newHarness(t, nil)
	if code := h.run("consent"); code != 0 || !strings.Contains(h.stdout.String(), "The risks") ||
		!strings.Contains(h.stdout.String(), `run "probe consent --yes"`) {
		t.Fatalf("consent: %d %s", code, h.stdout.String())
	}
	if code := h.run("consent", "--yes"); code != 0 || !strings.Contains(h.stdout.String(), "consent is recorded") {
		t.Fatalf("consent --yes: %d %s", code, h.stdout.String())
	}
	if _, err := os.Stat(filepath.Join(h.dir, "home", "consent.json")); err != nil {
		t.Error(err)
	}
}
