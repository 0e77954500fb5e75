// Package config is the probe's own directory: its settings file
// (config.json), the volunteer's consent and the upload queue.
//
// The directory is $SONDE_PROBE_HOME, or "sonde-probe" in the user's
// configuration directory (~/.config/sonde-probe on Linux,
// ~/Library/Application Support/sonde-probe on macOS, %AppData%\sonde-probe
// on Windows). config.json is decoded strictly: an unknown field is an
// error, so that a misspelt setting is not silently ignored.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sonde-project/sonde/probe/collectorclient"
	"github.com/sonde-project/sonde/probe/publicip"
	"github.com/sonde-project/sonde/probe/targets"
)

// EnvHome names the environment variable that overrides the directory.
const EnvHome = "SONDE_PROBE_HOME"

// Dir returns the probe's directory (not created).
func Dir() (string, error) {
	if d := os.Getenv(EnvHome); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory (set %s): %w", EnvHome, err)
	}
	return filepath.Join(base, "sonde-probe"), nil
}

// File is config.json. Every field is OPTIONAL; command-line flags win.
type File struct {
	// Collector is where measurements go ("https://collector.example.org").
	Collector string `json:"collector,omitempty"`
	// Token and ProbeID are what the collector gave at registration.
	Token   string `json:"token,omitempty"`
	ProbeID string `json:"probe_id,omitempty"`
	// Proxy carries uploads ("socks5://127.0.0.1:9050").
	Proxy string `json:"proxy,omitempty"`
	// PublicIPURL is a service answering with the address it sees.
	PublicIPURL string `json:"public_ip_url,omitempty"`
	// CategoriesOptOut lists Citizen Lab categories never to measure.
	CategoriesOptOut []string `json:"categories_opt_out,omitempty"`
}

// maxFileBytes bounds config.json.
const maxFileBytes = 1 << 20

// Load reads dir/config.json; a missing file is the zero File.
func Load(dir string) (*File, error) {
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	f, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return f, nil
}

// Parse decodes and validates a config.json.
func Parse(b []byte) (*File, error) {
	if len(b) > maxFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON object")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Validate checks every field.
func (f *File) Validate() error {
	if f.Collector != "" {
		if err := collectorclient.CheckServiceURL(f.Collector); err != nil {
			return fmt.Errorf("collector: %w", err)
		}
	}
	if f.Proxy != "" {
		if _, err := collectorclient.ParseProxy(f.Proxy); err != nil {
			return fmt.Errorf("proxy: %w", err)
		}
	}
	if f.PublicIPURL != "" {
		if err := publicip.CheckURL(f.PublicIPURL); err != nil {
			return fmt.Errorf("public_ip_url: %w", err)
		}
	}
	for _, c := range f.CategoriesOptOut {
		if !targets.CheckCategory(c) {
			return fmt.Errorf("categories_opt_out: %q is not a category code (NEWS, HUMR, …)", c)
		}
	}
	return nil
}

// Save writes dir/config.json (creating dir), readable by its owner only:
// it holds the probe's token.
func (f *File) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	path := filepath.Join(dir, "config.json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
