package aggregate

import (
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/warehouse"
)

// TestRollupCountsAsTheView: Rebuild must count a month as the
// verdict_daily migration's view and back-fill do, or a rebuilt month
// would disagree with the months the view filled. The back-fill is the
// same SELECT over verdicts FINAL without the month filter.
func TestRollupCountsAsTheView(t *testing.T) {
	migrations, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var backfill string
	for _, m := range migrations {
		for _, s := range m.Statements {
			if strings.HasPrefix(strings.TrimSpace(s), "INSERT INTO verdict_daily") {
				backfill = s
			}
		}
	}
	if backfill == "" {
		t.Fatal("no INSERT INTO verdict_daily in the migrations")
	}
	_, sel, _ := strings.Cut(backfill, "SELECT")
	want := "SELECT" + strings.Replace(sel, "FROM verdicts FINAL\n", "FROM verdicts FINAL\nWHERE toYYYYMM(measurement_start_time) = ?\n", 1)
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if norm(rollupSelect) != norm(want) {
		t.Errorf("Rebuild's SELECT differs from the migration's back-fill:\n%s\n---\n%s", norm(rollupSelect), norm(want))
	}
}
