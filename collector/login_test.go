package collector_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// TestClickHouseLogin: a collector given a wrong ClickHouse password
// still acknowledges uploads (into the spool), says in its log why
// nothing is stored, and stores nothing; started again on the same data
// directory with the right password, it stores what it kept.
func TestClickHouseLogin(t *testing.T) {
	dir := t.TempDir()
	login := func(password string) func(*collector.Config) {
		return func(c *collector.Config) {
			c.DataDir = dir
			c.ClickHouse.Username, c.ClickHouse.Password = chtest.User, password
		}
	}
	f := start(t, true, login("guess"))
	token := f.register(t)
	doc, _ := json.Marshal(realMeasurement(t, "https://login.example/", time.Now().Add(-time.Hour)))
	code, body := f.post(t, probeapi.PathBatchSubmit, token, probeapi.BatchSubmitRequest{Measurements: []json.RawMessage{doc}})
	var resp probeapi.BatchSubmitResponse
	if code != 200 || json.Unmarshal(body, &resp) != nil || len(resp.Results) != 1 || resp.Results[0].Status != "stored" {
		t.Fatalf("upload with ClickHouse refusing the login: %d %s", code, body)
	}
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(f.logs.String(), "Wrong password for user "+chtest.User); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the log does not say the password is wrong:\n%s", f.logs.String())
		}
	}
	if strings.Contains(f.logs.String(), "guess") {
		t.Errorf("the log holds the password:\n%s", f.logs.String())
	}
	var n uint8
	if err := f.conn.QueryRow(context.Background(), "EXISTS TABLE measurements").Scan(&n); err != nil || n != 0 {
		t.Errorf("with a wrong password the collector created its tables (%d, %v)", n, err)
	}
	f.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// A database of its own, but the same spool.
	g := start(t, true, login(chtest.Password))
	waitCount(t, g.conn, "SELECT count() FROM measurements WHERE measurement_uid = '"+resp.Results[0].MeasurementUID+"'", 1)
}
