package collector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzTokenStore reads arbitrary bytes as the token file (torn lines, a
// file from another version, a hostile edit): it opens or fails with an
// error, never panics, never takes a malformed line as a token, and still
// registers and revokes.
func FuzzTokenStore(f *testing.F) {
	f.Add([]byte(`{"probe_id":"0011223344556677","sha256":"` + strings.Repeat("ab", 32) + `","created":"2026-01-01T00:00:00Z"}` + "\n"))
	f.Add([]byte(`{"probe_id":"0011223344556677","revoked":"2026-01-02T00:00:00Z"}` + "\n{\"probe_id\":"))
	f.Add([]byte("\x00\xff\n\n{}\n"))
	f.Fuzz(func(t *testing.T, content []byte) {
		path := filepath.Join(t.TempDir(), "probe-tokens.jsonl")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := openTokenStore(path)
		if err != nil {
			return // a line longer than the scanner takes
		}
		defer s.close()
		for h := range s.byHash {
			if len(h) != 64 {
				t.Fatalf("a token hash of %d characters was taken", len(h))
			}
		}
		if s.probe("") != "" || s.probe(strings.Repeat("x", 300)) != "" {
			t.Fatal("an empty or oversized token was accepted")
		}
		id, token, err := s.register(time.Now())
		if err != nil || s.probe(token) != id {
			t.Fatalf("register after opening: %v", err)
		}
		if ok, err := s.revoke(id, time.Now()); !ok || err != nil || s.probe(token) != "" {
			t.Fatalf("revoke after opening: %v %v", ok, err)
		}
	})
}

// FuzzDecodeConfig decodes arbitrary YAML as a configuration: an error
// or a configuration that validates, never a panic.
func FuzzDecodeConfig(f *testing.F) {
	for _, name := range []string{"collector.example.yml", "testdata/invalid-values.yml", "testdata/invalid-two-documents.yml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("a: &x [*x, *x]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := DecodeConfig(strings.NewReader(string(b)))
		if err == nil {
			if verr := cfg.Validate(); verr != nil {
				t.Fatalf("decoded without error but does not validate: %v", verr)
			}
		}
	})
}
