package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestInvalidFiles(t *testing.T) {
	want := map[string]string{
		"invalid-unknown-field.json": `json: unknown field "colector"`,
		"invalid-collector.json":     `collector: "ftp://c.example.org" is not an http or https URL of a service`,
		"invalid-proxy.json":         `proxy: --proxy "socks5://127.0.0.1": give a host and a port, as in socks5://127.0.0.1:9050`,
		"invalid-category.json":      `categories_opt_out: "x y" is not a category code (NEWS, HUMR, …)`,
		"invalid-two-objects.json":   "more than one JSON object",
	}
	files, _ := filepath.Glob("testdata/invalid-*.json")
	if len(files) != len(want) {
		t.Fatalf("%d invalid files, %d expected errors", len(files), len(want))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		_, err := Parse(b)
		if err == nil || err.Error() != want[filepath.Base(f)] {
			t.Errorf("%s: %v, want %q", f, err, want[filepath.Base(f)])
		}
	}
}

func TestLoadSave(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "probe")
	f, err := Load(dir)
	if err != nil || !reflect.DeepEqual(f, &File{}) {
		t.Fatalf("missing file: %+v, %v", f, err)
	}
	b, _ := os.ReadFile("testdata/valid.json")
	f, err = Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Save(dir); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, "config.json"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config.json mode %v: it holds the token", fi.Mode())
	}
	g, err := Load(dir)
	if err != nil || !reflect.DeepEqual(f, g) {
		t.Errorf("reloaded %+v, %v", g, err)
	}
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"x":1}`), 0o600)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "config.json: json: unknown field") {
		t.Errorf("bad file: %v", err)
	}
}

func TestDir(t *testing.T) {
	t.Setenv(EnvHome, "/somewhere/probe")
	if d, err := Dir(); err != nil || d != "/somewhere/probe" {
		t.Errorf("Dir = %q, %v", d, err)
	}
	t.Setenv(EnvHome, "")
	t.Setenv("XDG_CONFIG_HOME", "/home/v/.config")
	if d, err := Dir(); err != nil || d != "/home/v/.config/sonde-probe" {
		t.Errorf("Dir = %q, %v", d, err)
	}
}

func FuzzParse(f *testing.F) {
	b, _ := os.ReadFile("testdata/valid.json")
	f.Add(b)
	f.Add([]byte(`{"collector":"https://x/?a"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && c.Validate() != nil {
			t.Fatal("Parse returned a File that does not validate")
		}
	})
}
