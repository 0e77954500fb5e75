package testlists

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Set is a folder of test lists, read and checked.
type Set struct {
	// Dir is the folder the lists were read from (the lists/ folder of a
	// checkout when given the checkout's root).
	Dir    string
	Legend *Legend
	// Lists by name ("global", "ir", "cis"), with their valid rows.
	Lists map[string]*List
}

// Global returns the global list, or nil.
func (s *Set) Global() *List { return s.Lists[GlobalName] }

// Names returns the list names, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.Lists))
	for n := range s.Lists {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ListsDir finds the folder holding the lists: dir itself, or dir/lists
// when dir is the root of a citizenlab/test-lists checkout.
func ListsDir(dir string) string {
	sub := filepath.Join(dir, "lists")
	for _, probe := range []string{GlobalName + ".csv", CategoryLegendFile} {
		if _, err := os.Stat(filepath.Join(sub, probe)); err == nil {
			return sub
		}
	}
	return dir
}

// listFiles returns the list files of a lists folder: *.csv apart from
// the 00-LEGEND files. Sub-folders (upstream's official/, which holds
// official block lists of bare domains in another format) are not read.
func listFiles(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, de := range des {
		name := de.Name()
		if de.IsDir() || !strings.EqualFold(filepath.Ext(name), ".csv") || strings.HasPrefix(name, "00-") {
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	return files, nil
}

// LoadDir reads every list of a folder (a checkout's root or its lists/
// folder), checks each row against the legend and across lists, and
// returns the valid rows with every problem found (errors and a few
// warnings about the folder itself). Rows with errors are left out of the
// Set; callers that need a clean set check Errors(problems).
func LoadDir(dir string) (*Set, []*Problem) {
	dir = ListsDir(dir)
	var all []*Problem
	set := &Set{Dir: dir, Lists: map[string]*List{}}
	files, err := listFiles(dir)
	if err != nil {
		return set, []*Problem{{File: dir, Severity: Error, Msg: "cannot read the folder: " + err.Error(),
			Fix: "point at a checkout of citizenlab/test-lists or its lists/ folder"}}
	}
	set.Legend = readLegends(dir, &all)
	for _, path := range files {
		entries, ps := ReadPath(path)
		all = append(all, ps...)
		name := strings.ToLower(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
		set.Lists[name] = &List{Name: name, Path: path, Entries: entries}
	}
	if len(set.Lists) == 0 {
		all = append(all, &Problem{File: dir, Severity: Error, Msg: "no test lists (*.csv) in this folder",
			Fix: "point at a checkout of citizenlab/test-lists or its lists/ folder"})
		return set, all
	}
	all = append(all, set.check()...)
	if set.Global() == nil {
		all = append(all, &Problem{File: filepath.Join(dir, GlobalName+".csv"), Severity: Warning,
			Msg: "no global list: probes get only their country's list"})
	}
	sortProblems(all)
	return set, all
}

// check applies the legend and the cross-row rules to every list.
func (s *Set) check() []*Problem {
	var (
		out    []*Problem
		global map[string]int
	)
	if g := s.Global(); g != nil {
		out = s.checkList(g, nil)
		global = make(map[string]int, len(g.Entries))
		for _, e := range g.Entries {
			global[e.URL] = e.Line
		}
	}
	for _, n := range s.Names() {
		if n != GlobalName {
			out = append(out, s.checkList(s.Lists[n], global)...)
		}
	}
	return out
}

func (s *Set) checkList(l *List, global map[string]int) []*Problem {
	ps := &problems{file: filepath.ToSlash(l.Path)}
	l.Entries = checkCategories(l.Entries, s.Legend, ps, false)
	checkDuplicates(l, global, ps)
	return ps.list
}

// sortProblems orders problems by file, then line.
func sortProblems(ps []*Problem) {
	slices.SortStableFunc(ps, func(a, b *Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
}

// String summarises the set for logs.
func (s *Set) String() string {
	n := 0
	for _, l := range s.Lists {
		n += len(l.Entries)
	}
	return fmt.Sprintf("%d lists, %d URLs from %s", len(s.Lists), n, s.Dir)
}

// ValidateFile checks one list file as LoadDir would: strictly, against
// the legend of its folder (the built-in category codes when there is
// none), and, for a country list, against the global list beside it.
func ValidateFile(path string) []*Problem {
	dir := filepath.Dir(path)
	var all []*Problem
	lg := readLegends(dir, &all)
	all = slices.DeleteFunc(all, func(p *Problem) bool { return p.Severity == Warning }) // a lone file needs no legend
	entries, ps := ReadPath(path)
	all = append(all, ps...)
	name := strings.ToLower(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	set := &Set{Dir: dir, Legend: lg, Lists: map[string]*List{name: {Name: name, Path: path, Entries: entries}}}
	if gp := filepath.Join(dir, GlobalName+".csv"); name != GlobalName {
		if g, gps := ReadPath(gp); len(gps) == 0 {
			set.Lists[GlobalName] = &List{Name: GlobalName, Path: gp, Entries: g}
		}
	}
	for _, p := range set.check() {
		if p.File == filepath.ToSlash(path) {
			all = append(all, p)
		}
	}
	sortProblems(all)
	return all
}
