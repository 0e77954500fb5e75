// Package collectortest makes realistic measurements for the collector's
// tests and benchmarks: real OONI measurements from the repository's
// testdata (web_connectivity most of all, as in OONI's corpus, and the
// IM, circumvention and middlebox tests), each made unique by its input,
// start time and report id (collector/loadgen's corpus).
package collectortest

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/sonde-project/sonde/collector/loadgen"
)

// Corpus makes measurements from templates.
type Corpus = loadgen.Corpus

// Root returns the repository's root folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// CorpusDir is where the templates are.
func CorpusDir() string { return filepath.Join(Root(), "testdata", "ooni", "backend-fastpath") }

// Load reads the templates.
func Load(t testing.TB) *Corpus {
	t.Helper()
	c, err := loadgen.LoadCorpus(CorpusDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}
