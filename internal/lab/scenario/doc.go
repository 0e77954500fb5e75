// Package scenario reads the censorship lab's scenario files: what the
// censor does (rules by domain, SNI, Host, IP and port) and what the
// analysis should conclude about each target measured through it.
//
// A scenario is YAML (or JSON, for files ending in .json), decoded
// strictly: an unknown field is an error, and Validate reports every
// problem at once with where it is ("rules[1] (rst): sni: ..."). The
// scenarios shipped with sonde are embedded (Shipped, LoadShipped); each
// models a country's documented techniques and cites its sources.
//
// # Design
//
// Rules are data, not code: the censor (internal/lab/censor) compiles them
// into its packet engine and the kernel's nftables and tc, so a new
// scenario never needs a new build. The match fields a rule may use depend
// on its action and are checked at load, so a typo ("snis", an SNI on a
// DNS rule) fails loudly rather than silently censoring nothing.
// Expectations use internal/verdict's vocabulary, so the end-to-end tests
// compare the analysis' output with them field by field.
package scenario
