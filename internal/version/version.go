// Package version names this build of sonde, for software_version in
// measurements and for --version.
package version

// Name is the software_name every binary of this project reports.
const Name = "sonde"

// Version is set at build time (make build: git describe); "dev" otherwise.
var Version = "dev"
