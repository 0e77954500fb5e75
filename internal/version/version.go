// Package version names this build of sonde, for software_version in
// measurements and for --version.
package version

// Name is the software_name every binary of this project reports.
const Name = "sonde"

// Version is set at build time (make build: git describe); "dev" otherwise.
var Version = "dev"

// String returns Version, or "dev" when a build set it to nothing (a
// Makefile whose VERSION was empty when the flags were computed).
func String() string {
	if Version == "" {
		return "dev"
	}
	return Version
}
