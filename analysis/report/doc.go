// Package report turns counted measurement outcomes into policy reports:
// for a country or for a domain, over a period, what was blocked where,
// since when, how and with what confidence, with the measurements behind
// each claim. A report is one [Report] value written three ways: a
// self-contained HTML page ([WriteHTML]), JSON ([WriteJSON]) and CSV
// ([WriteCSV]). The collector serves the same pages live.
//
// # Design
//
// The data comes from a [Source] as two kinds of rows: daily counts per
// (country, network, domain, test, method) and a few evidence measurements
// per (country, network, domain). [Compose] is a pure function of those
// rows, so the golden tests check reports without a database and the
// ClickHouse tests check only that the store returns the same rows.
//
// Whether a site is blocked in a network is not a per-day threshold: the
// daily series of each (country, network, domain) goes through
// analysis/blockevent, which finds change points in the share of
// anomalous measurements. A cell of the network-by-domain table is
// "confirmed" when a blocking period includes a measurement that matched a
// known blockpage or censor DNS answer, "likely" when it does not, "not
// blocked" when measured without a blocking period, and "measurement
// failed" when every measurement failed.
//
// Pages are written for readers who are not engineers: one headline
// sentence, one sentence per blocked site naming the method and the
// confidence in words, charts with text alternatives, and the table
// cells say their status in words as well as in colour.
//
// Pages run no script and fetch nothing: the style is inline and allowed
// by its hash in the Content-Security-Policy, charts are inline SVG drawn
// with presentation attributes (no style attributes, which the policy
// would refuse). A saved page opens the same offline.
package report
