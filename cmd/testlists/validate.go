package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sonde-project/sonde/testlists"
)

const validateHelp = `Usage: testlists validate [-q] [--lenient] DIR|FILE...

Checks test lists the way upstream's CI and the sonde collector do, and
prints one line per problem:

  lists/ir.csv:214: date_added "15/04/2014" is not a date as YYYY-MM-DD (fix: write it like 2024-03-31)

A FILE is checked against the legends and the global.csv of its folder.
Exits 1 when there is an error, 0 otherwise (warnings do not fail).

Options:
`

func validate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quiet := fs.Bool("q", false, "print errors only, not warnings")
	lenient := fs.Bool("lenient", false, "check FILEs as the probe reads a volunteer's local list (a url column alone is fine)")
	fs.Usage = func() { fmt.Fprint(fs.Output(), validateHelp); fs.PrintDefaults() }
	paths, code := parseArgs(fs, args)
	if code >= 0 {
		return code
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "testlists validate: give at least one folder or file")
		return 2
	}
	var errs, warns, rows int
	report := func(ps []*testlists.Problem) {
		for _, p := range ps {
			if p.Severity == testlists.Error {
				errs++
			} else if warns++; *quiet {
				continue
			}
			fmt.Fprintln(stdout, p.Error())
		}
	}
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			fmt.Fprintln(stdout, err)
			errs++
			continue
		}
		switch {
		case *lenient && !fi.IsDir():
			entries, es := testlists.ReadFile(path)
			rows += len(entries)
			for _, e := range es {
				var p *testlists.Problem
				if !errors.As(e, &p) {
					p = &testlists.Problem{File: path, Msg: e.Error()}
				}
				report([]*testlists.Problem{p})
			}
		case fi.IsDir():
			set, ps := testlists.LoadDir(path)
			for _, l := range set.Lists {
				rows += len(l.Entries)
			}
			report(ps)
		default:
			report(testlists.ValidateFile(path))
		}
	}
	fmt.Fprintf(stderr, "testlists: %s, %s, %s in valid rows\n", plural(errs, "error"), plural(warns, "warning"), plural(rows, "URL"))
	if errs > 0 {
		return 1
	}
	return 0
}

// parseArgs parses flags placed anywhere among the arguments and returns
// the others; code is -1 to go on, else the exit code.
func parseArgs(fs *flag.FlagSet, args []string) (rest []string, code int) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0
			}
			return nil, 2
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, -1
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}
