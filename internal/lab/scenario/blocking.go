package scenario

import (
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/sonde-project/sonde/internal/measurement"
)

// Blocking is an expected "blocking" value: false or a method string, as
// in internal/verdict. It decodes from YAML/JSON false or a string.
type Blocking struct {
	measurement.Blocking
}

// String returns "false" or the method, "" when unset.
func (b Blocking) String() string {
	switch {
	case !b.Decided:
		return ""
	case b.Method == "":
		return "false"
	}
	return b.Method
}

// UnmarshalYAML accepts false or a string.
func (b *Blocking) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: blocking must be false or a method name", n.Line)
	}
	switch n.Tag {
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err != nil {
			return err
		}
		if v {
			return fmt.Errorf("line %d: blocking must be false or a method name, not true", n.Line)
		}
		b.Blocking = measurement.NotBlocked
		return nil
	case "!!str":
		b.Blocking = measurement.BlockedBy(n.Value)
		return nil
	}
	return fmt.Errorf("line %d: blocking must be false or a method name, not %q", n.Line, n.Value)
}

// UnmarshalJSON accepts false or a string.
func (b *Blocking) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case bool:
		if v {
			return fmt.Errorf("blocking must be false or a method name, not true")
		}
		b.Blocking = measurement.NotBlocked
		return nil
	case string:
		b.Blocking = measurement.BlockedBy(v)
		return nil
	}
	return fmt.Errorf("blocking must be false or a method name, not %s", data)
}

// MarshalYAML writes false or the method.
func (b Blocking) MarshalYAML() (any, error) {
	if b.Decided && b.Method == "" {
		return false, nil
	}
	return b.Method, nil
}
