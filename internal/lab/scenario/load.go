package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxSize bounds a scenario file: scenarios are small, hand-written files.
const MaxSize = 1 << 20

// Load reads, decodes and validates the scenario file at path. Files ending
// in .json are JSON; anything else is YAML. Errors name the file.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	s, err := Parse(data, strings.EqualFold(filepath.Ext(path), ".json"))
	if err != nil {
		if lines := strings.Split(err.Error(), "\n"); len(lines) > 1 && !strings.HasPrefix(lines[1], " ") {
			return nil, fmt.Errorf("scenario %s: %d problems:\n  %s", filepath.Base(path), len(lines), strings.Join(lines, "\n  "))
		}
		return nil, fmt.Errorf("scenario %s: %w", filepath.Base(path), err)
	}
	return s, nil
}

// Parse decodes and validates a scenario: strictly (unknown fields are
// errors), as JSON when isJSON, else as YAML.
func Parse(data []byte, isJSON bool) (*Scenario, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxSize)
	}
	var s Scenario
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("decode JSON: %w", err)
		}
		if dec.More() {
			return nil, errors.New("decode JSON: more than one object")
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&s); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errors.New("empty file")
			}
			return nil, fmt.Errorf("decode YAML: %w", err)
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			return nil, errors.New("decode YAML: more than one document")
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}
