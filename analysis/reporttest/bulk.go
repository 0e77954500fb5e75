package reporttest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
)

// BulkCountries are the countries of Bulk's measurements.
var BulkCountries = []string{"IR", "CN", "RU", "TR", "EG", "PK", "IN", "ID", "VN", "MM",
	"BY", "KZ", "SA", "AE", "ET", "VE", "CU", "TM", "UZ", "BD"}

// BulkDays is how many days Bulk's measurements span from its start.
const BulkDays = 92

// Execer runs a statement (clickhouse-go's driver.Conn has it).
type Execer interface {
	Exec(ctx context.Context, query string, args ...any) error
}

// bulkRow computes, from the row number n (and the bound start time),
// one measurement of a large realistic population: 20 countries, 8
// networks each, 200 domains (twitter.com among them), 92 days. One in ten
// (country, network, domain) is blocked from a day of its own on, by one
// method (DNS and HTTP blockpages confirmed, the others anomalies);
// elsewhere 3% of measurements are spurious anomalies; 2% fail.
const bulkRow = `SELECT
  number + ? AS n,
  n % 92 AS d,
  cityHash64(n, 1) % 20 AS cci,
  cityHash64(n, 2) % 8 AS asni,
  cityHash64(n, 3) % 200 AS domi,
  arrayElement([%s], cci + 1) AS cc,
  toUInt32(10000 + cci * 100 + asni) AS asn,
  if(domi = 0, 'twitter.com', concat('site', toString(domi), '.example')) AS domain,
  concat('https://', domain, '/') AS input,
  toDateTime(?) + d * 86400 + cityHash64(n, 4) % 86400 AS t,
  concat(toString(toYYYYMMDD(t)), '_', cc, '_bulk_', toString(n)) AS uid,
  cityHash64(cci, asni, domi) % 10 = 0 AND d >= cityHash64(cci, asni, domi, 5) % 92 AS blocked,
  arrayElement(['dns', 'tcp_ip', 'tls', 'http-diff', 'http-failure', 'quic'], cityHash64(cci, asni, domi, 6) % 6 + 1) AS method,
  cityHash64(n, 7) % 100 AS r,
  multiIf(r < 2, 'failure', blocked AND r < 92, if(method IN ('dns', 'http-diff'), 'confirmed', 'anomaly'),
          NOT blocked AND r < 5, 'anomaly', 'ok') AS confidence,
  multiIf(confidence IN ('anomaly', 'confirmed'), if(blocked, method, 'http-failure'), confidence = 'ok', 'false', 'null') AS blocking
FROM numbers(?)`

// Bulk inserts n measurements and their verdicts server-side (INSERT …
// SELECT from numbers(), a million rows a statement), starting at since:
// the data set of the benchmarks. The raw JSON of each is the real OONI
// measurement Template("ok") with its uid, country, network, time, input
// and blocking replaced, without its control and HTTP keys.
func Bulk(ctx context.Context, conn Execer, n int, since time.Time) error {
	parts, fields, err := rawParts()
	if err != nil {
		return err
	}
	quoted := make([]string, len(BulkCountries))
	for i, cc := range BulkCountries {
		quoted[i] = "'" + cc + "'"
	}
	row := strings.Replace(bulkRow, "%s", strings.Join(quoted, ", "), 1)
	exprs := map[string]string{
		"uid": "uid", "cc": "cc", "asn": "concat('AS', toString(asn))", "input": "input",
		"time":     "formatDateTime(t, '%Y-%m-%d %H:%M:%S')",
		"blocking": `if(blocking IN ('false', 'null'), blocking, concat('"', blocking, '"'))`,
	}
	rawExpr := "concat(?"
	for _, f := range fields {
		rawExpr += ", " + exprs[f] + ", ?"
	}
	rawExpr += ")"
	const chunk = 1_000_000
	for start := 0; start < n; start += chunk {
		count := min(chunk, n-start)
		args := []any{start, since.UTC().Format(measurement.TimeFormat), count}
		rawArgs := make([]any, len(parts))
		for i, p := range parts {
			rawArgs[i] = p
		}
		q := `INSERT INTO measurements (measurement_uid, report_id, test_name, test_version, probe_cc, probe_asn,
  probe_network_name, resolver_asn, input, domain, measurement_start_time, test_start_time, test_runtime,
  software_name, software_version, platform, data_format_version, received_time, raw)
SELECT uid, concat('bulk_', cc, '_', toString(asn)), 'web_connectivity', '0.4.3', cc, asn,
  concat('Network AS', toString(asn)), asn, input, domain, t, t, 1.5, 'sonde', '0.1.0', 'linux', '0.2.0', t,
  ` + rawExpr + ` FROM (` + row + `)`
		if err := conn.Exec(ctx, q, append(rawArgs, args...)...); err != nil {
			return fmt.Errorf("bulk measurements: %w", err)
		}
		q = `INSERT INTO verdicts (measurement_uid, report_id, test_name, probe_cc, probe_asn, input, domain,
  measurement_start_time, status, blocking, accessible, confidence, fingerprint, explanation, evidence,
  analysis_version, analyzed_time)
SELECT uid, concat('bulk_', cc, '_', toString(asn)), 'web_connectivity', cc, asn, input, domain, t,
  multiIf(confidence = 'ok', 'ok', confidence = 'failure', 'unknown', 'blocked'), blocking,
  toInt8(multiIf(confidence = 'ok', 1, confidence = 'failure', -1, 0)), confidence,
  if(confidence = 'confirmed', concat('bulk.', method), ''),
  if(confidence = 'confirmed', 'A known blockpage matched.', ''), '[]', 1, t + 60
FROM (` + row + `)`
		if err := conn.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("bulk verdicts: %w", err)
		}
	}
	return nil
}

// rawParts splits the template's JSON around the fields Bulk replaces
// (uid, country, network, input, start time and blocking) and names them
// in the order they appear.
func rawParts() (parts, fields []string, err error) {
	m, err := Template("ok")
	if err != nil {
		return nil, nil, err
	}
	m.MeasurementUID, m.ProbeCC, m.ProbeASN = "\x01uid\x01", "\x01cc\x01", "\x01asn\x01"
	m.Input, m.MeasurementStartTime = "\x01input\x01", "\x01time\x01"
	var keys map[string]any
	if err := json.Unmarshal(m.TestKeys, &keys); err != nil {
		return nil, nil, err
	}
	keys["blocking"] = "\x01blocking\x01"
	// The control's answer and the HTTP exchange are half the bytes; left
	// out, ten million rows generate in minutes rather than a quarter hour.
	delete(keys, "control")
	delete(keys, "requests")
	if m.TestKeys, err = json.Marshal(keys); err != nil {
		return nil, nil, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, nil, err
	}
	s := string(b)
	for {
		i := strings.Index(s, `\u0001`)
		if i < 0 {
			break
		}
		end := strings.Index(s[i+6:], `\u0001`)
		if end < 0 {
			return nil, nil, fmt.Errorf("bulk template: unterminated placeholder")
		}
		name := s[i+6 : i+6+end]
		before, after := s[:i], s[i+6+end+6:]
		if name == "blocking" { // replaced with its quotes
			before, after = strings.TrimSuffix(before, `"`), strings.TrimPrefix(after, `"`)
		}
		parts, fields = append(parts, before), append(fields, name)
		s = after
	}
	if len(fields) != 6 {
		return nil, nil, fmt.Errorf("bulk template: found fields %v", fields)
	}
	return append(parts, s), fields, nil
}
