package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/sonde-project/sonde/testlists"
)

const statsHelp = `Usage: testlists stats [--json] [--country CC] DIR

Counts the URLs of each list and of each category. For each country list,
"check-in" is how many distinct URLs a probe in that country is served: the
country's list merged with the global list. "served: no" marks lists that
check-in never hands out (regions like cis).

With --country, prints that list's count per category only.

Options:
`

func stats(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	country := fs.String("country", "", "only this list (a country code, or global)")
	fs.Usage = func() { fmt.Fprint(fs.Output(), statsHelp); fs.PrintDefaults() }
	dirs, code := parseArgs(fs, args)
	if code >= 0 {
		return code
	}
	if len(dirs) != 1 {
		fmt.Fprintln(stderr, "testlists stats: give one folder of lists")
		return 2
	}
	set, ps := testlists.LoadDir(dirs[0])
	if errs := testlists.Errors(ps); len(errs) > 0 {
		fmt.Fprintf(stderr, "testlists: %s; rows with errors are not counted (run testlists validate)\n", plural(len(errs), "error"))
	}
	st := testlists.ComputeStats(set)
	if *country != "" {
		cc := strings.ToLower(*country)
		st.Lists = slices.DeleteFunc(st.Lists, func(l testlists.ListStats) bool { return l.Name != cc })
		if len(st.Lists) == 0 {
			fmt.Fprintf(stderr, "testlists stats: no list %s.csv in %s\n", cc, set.Dir)
			return 1
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if *country != "" {
			return encode(enc, st.Lists[0], stderr)
		}
		return encode(enc, st, stderr)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	if *country != "" {
		l := st.Lists[0]
		fmt.Fprintf(tw, "category\tdescription\tURLs\t\n")
		for _, code := range slices.Sorted(maps.Keys(l.ByCategory)) {
			fmt.Fprintf(tw, "%s\t%s\t%d\t\n", code, set.Legend.Categories[code].Description, l.ByCategory[code])
		}
		fmt.Fprintf(tw, "total\t\t%d\t\n", l.URLs)
		return flush(tw, stderr)
	}
	fmt.Fprintf(tw, "list\tcountry\tURLs\thosts\tcheck-in\tserved\tnewest\ttop categories\t\n")
	for _, l := range st.Lists {
		served := "yes"
		if !l.Served {
			served = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t\n", l.Name, l.Country, l.URLs, l.Hosts, l.CheckIn, served, l.Newest, top(l.ByCategory, 3))
	}
	fmt.Fprintf(tw, "total\t\t%d\t\t\t\t\t\t\n\n", st.URLs)
	fmt.Fprintf(tw, "category\tdescription\tURLs\tlists\t\n")
	for _, c := range st.Categories {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t\n", c.Code, c.Description, c.URLs, c.Lists)
	}
	return flush(tw, stderr)
}

// top formats the n largest categories as "NEWS 40, HUMR 12".
func top(by map[string]int, n int) string {
	codes := slices.SortedFunc(maps.Keys(by), func(a, b string) int {
		if by[a] != by[b] {
			return by[b] - by[a]
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, c := range codes[:min(n, len(codes))] {
		parts = append(parts, fmt.Sprintf("%s %d", c, by[c]))
	}
	return strings.Join(parts, ", ")
}

func encode(enc *json.Encoder, v any, stderr io.Writer) int {
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, "testlists:", err)
		return 1
	}
	return 0
}

func flush(tw *tabwriter.Writer, stderr io.Writer) int {
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(stderr, "testlists:", err)
		return 1
	}
	return 0
}
