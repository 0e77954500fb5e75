// Command testlists checks and describes test lists in the Citizen Lab
// format (github.com/citizenlab/test-lists): validate them before a pull
// request, lint them for duplicates, legacy categories and dead domains,
// and count their URLs per country and category.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sonde-project/sonde/internal/version"
)

const usage = `testlists: check and describe Citizen Lab test lists

Usage:
  testlists validate [-q] [--lenient] DIR|FILE...
  testlists lint [--resolve] [--timeout 5s] [--concurrency 16] [--fail-on-warnings] DIR
  testlists stats [--json] [--country CC] DIR

DIR is a checkout of github.com/citizenlab/test-lists (its root or its
lists/ folder) or any folder of lists in the same format; FILE is one list.

Commands:
  validate  find what upstream's CI and the sonde collector reject: broken
            CSV, wrong header or column count, invalid URLs, unknown or
            legacy category codes, dates not written YYYY-MM-DD, duplicate
            rows, country rows already in global.csv. Prints one line per
            problem as file:line: problem (fix: …) and exits 1 if any.
  lint      validate, plus what deserves a look: URLs that make the same
            request written differently, host names in upper case, list
            names missing from the country legend, and with --resolve
            domains that no longer exist.
  stats     URLs per country list and per category, as a table or JSON.

Run "testlists COMMAND --help" for the options of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit code: 0 fine, 1
// problems found, 2 wrong usage.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "validate":
		return validate(rest, stdout, stderr)
	case "lint":
		return lint(rest, stdout, stderr)
	case "stats":
		return stats(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "--version":
		fmt.Fprintln(stdout, "testlists", version.Version)
		return 0
	}
	fmt.Fprintf(stderr, "testlists: unknown command %q\n\n%s", cmd, usage)
	return 2
}

// plural formats a count with its noun.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
