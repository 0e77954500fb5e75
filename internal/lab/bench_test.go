package lab

import (
	"context"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/lab/scenario"
)

// BenchmarkStartClose: how long a whole lab takes to come up and go away
// (namespaces, servers, censor), which every end-to-end test pays.
func BenchmarkStartClose(b *testing.B) {
	if err := checkRoot(); err != nil {
		b.Skip(err)
	}
	s, err := scenario.LoadShipped("mixed")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		l, err := Start(ctx, Config{Scenario: s})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
