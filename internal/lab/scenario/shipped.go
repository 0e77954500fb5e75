package scenario

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed scenarios/*.yml
var shipped embed.FS

// Shipped returns the names of the scenarios shipped with sonde, sorted.
func Shipped() []string {
	entries, _ := fs.ReadDir(shipped, "scenarios")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yml"))
	}
	sort.Strings(names)
	return names
}

// LoadShipped returns the shipped scenario called name.
func LoadShipped(name string) (*Scenario, error) {
	data, err := shipped.ReadFile(path.Join("scenarios", name+".yml"))
	if err != nil {
		return nil, fmt.Errorf("scenario %q is not shipped (shipped: %s)", name, strings.Join(Shipped(), ", "))
	}
	s, err := Parse(data, false)
	if err != nil {
		return nil, fmt.Errorf("shipped scenario %s: %w", name, err)
	}
	return s, nil
}

// Source returns the shipped scenario file's text (with its comments).
func Source(name string) ([]byte, error) {
	return shipped.ReadFile(path.Join("scenarios", name+".yml"))
}

// Resolve returns a scenario by shipped name or by file path: a value
// containing a path separator or a file extension is a path.
func Resolve(nameOrPath string) (*Scenario, error) {
	if strings.ContainsAny(nameOrPath, `/\`) || path.Ext(nameOrPath) != "" {
		return Load(nameOrPath)
	}
	return LoadShipped(nameOrPath)
}
