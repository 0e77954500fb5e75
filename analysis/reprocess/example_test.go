package reprocess_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/sonde-project/sonde/analysis/reprocess"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// Recompute the verdicts of older rules for Iran in November 2026, and
// print what changed.
func ExampleRun() {
	conn, err := warehouse.Open(warehouse.Config{Addr: "127.0.0.1:9000", Database: "sonde"})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	s, err := reprocess.Run(context.Background(), conn, reprocess.Config{
		CC:       "IR",
		Since:    time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Until:    time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Progress: os.Stderr,
	})
	if err != nil {
		log.Fatal(err)
	}
	s.Print(os.Stdout)
}
