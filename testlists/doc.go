// Package testlists reads, checks and serves the Citizen Lab test lists
// (github.com/citizenlab/test-lists): the URLs probes measure.
//
// Read and Write handle the upstream CSV format
// (url,category_code,category_description,date_added,source,notes);
// LoadDir reads a folder of lists with its legends and checks every row
// the way upstream's CI does, reporting each problem as a *Problem with
// file, line and fix; ReadFile reads a volunteer's hand-made list
// leniently; Lint, CheckDomains and ComputeStats serve list maintainers
// (the testlists command). A Store serves check-ins: Pick chooses the
// targets for one probe.
//
// # Design
//
//   - License. The lists are CC BY-NC-SA 4.0: nothing of them is embedded
//     in a binary. Operators point the collector at a checkout (its root
//     or its lists/ folder). Only the 31 category codes and their short
//     names are built in, to check a volunteer's list where no legend is.
//   - Identity. A row's URL is served exactly as written, so that
//     measurements join OONI's on input. Normalize gives the canonical
//     form (lower-case scheme and host, punycode, no trailing dot, no
//     default port, "/" for an empty path, canonical escapes, no fragment)
//     for finding near-duplicates. Check-in does not merge such variants:
//     a trailing dot or upper case may be a deliberate test of a filter.
//     http/https and www./bare domain are never duplicates.
//   - Strict and lenient. Upstream lists are read strictly (a list that
//     passes `testlists validate` passes upstream's CI); a Store refuses
//     lists with errors and keeps serving the last good version. The
//     probe's local list accepts a URL column alone, any column order
//     under a header, comments and blank lines.
//   - Rotation. Pick prefers (1) URLs whose verdict changed lately in the
//     country and that this network has not measured since, (2) the URLs
//     this network (country, ASN) was handed longest ago, (3) among those
//     the URLs the country saw longest ago, (4) a fixed pseudo-random
//     order. A network walks its whole list before repeating a URL;
//     networks checking in together complement each other. Networks
//     rather than probes: probe ids are cheap to mint and censorship
//     differs by network.
//   - Bounded memory. Times are kept as uint32 minutes per URL of a
//     country's merged list: about 10 KiB per network for the largest
//     country, for at most Config.MaxNetworks networks (least recently
//     seen forgotten first), plus one per country. Verdict changes are
//     kept per listed URL and expire after Config.ChangedFor.
//   - Restart. Rotation state is in memory only: after a restart every
//     URL is equally stale and each network starts again from the
//     pseudo-random order, so a day's coverage still holds. The collector
//     may seed the state from recent measurements with Measured.
//   - Reloads. Reload (on SIGHUP) and Watch (polling sizes and
//     modification times; no new dependency) build a new immutable
//     snapshot and swap it atomically; check-ins never wait for a reload.
//     Rotation state follows URLs by their text across reloads.
package testlists
