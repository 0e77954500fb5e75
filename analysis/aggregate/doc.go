// Package aggregate reads measurement outcomes out of ClickHouse already
// counted: per day, country, network (ASN), domain, test and blocking
// method, how many measurements were ok, anomalies, confirmed blocking or
// failures. Reports and the researcher API are built on these counts.
package aggregate
