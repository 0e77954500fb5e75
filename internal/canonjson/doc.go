// Package canonjson checks untrusted JSON strictly and rewrites it in
// canonical form in one pass: object keys sorted, no insignificant white
// space, numbers exactly as written, strings escaped the way
// encoding/json writes them. A transformation can be applied to every key
// and string on the way (the collector scrubs the uploader's address
// there). It also iterates the members of an object without decoding them.
//
// # Design
//
// The collector used to decode every upload into map[string]any, walk it to
// scrub it, and encode it again with encoding/json to get its canonical
// form (the measurement_uid is a hash of that form): three passes and a
// few thousand allocations per measurement, most of the cost of accepting
// one. Append does all of it in one pass over the bytes with no
// allocation beyond its output: strings without escapes are used in
// place, each object's members are written as they come and put in order
// once the object ends (one copy of the object, nothing when the keys
// already come sorted).
//
// The output is byte for byte what encoding/json gives for the same
// document decoded with UseNumber into map[string]any and encoded with
// SetEscapeHTML(false); a fuzz test holds the two to that. Where
// encoding/json is lenient, Append refuses, because a collector facing the
// Internet should: invalid UTF-8 (encoding/json silently replaces it),
// duplicate keys (encoding/json keeps the last, so two readers of the same
// bytes could disagree), nesting deeper than a bound, numbers longer than
// a bound or outside float64's range. Each refusal is a *SyntaxError that
// says where and why.
package canonjson
