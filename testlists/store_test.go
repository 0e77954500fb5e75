package testlists

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var day0 = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

func openExcerpts(t *testing.T, cfg Config) *Store {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = excerpts
	}
	cfg.Seed = 42
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// served returns the URLs a country is served, as check-in merges them.
func served(t *testing.T, s *Store, cc string) map[string]Target {
	t.Helper()
	out := map[string]Target{}
	for _, it := range s.snap.Load().forCountry(cc).items {
		out[it.target.URL] = it.target
	}
	return out
}

func TestPickMergesCountryAndGlobal(t *testing.T) {
	s := openExcerpts(t, Config{})
	for cc, want := range map[string]int{"IR": 60 + 103, "CN": 66 + 103, "RU": 61 + 103, "BR": 103, "": 103, "x1": 103} {
		all := served(t, s, countryCode(cc))
		if len(all) != want {
			t.Errorf("%q is served %d URLs, want %d", cc, len(all), want)
		}
		ts := s.Pick(context.Background(), Request{CC: cc, Max: 1000, Now: day0})
		if len(ts) != want {
			t.Errorf("%q: Pick returned %d targets, want all %d", cc, len(ts), want)
		}
		for _, tg := range ts {
			if tg.CountryCode != GlobalCountryCode && tg.CountryCode != strings.ToUpper(cc) {
				t.Errorf("%q: target %+v has the wrong country code", cc, tg)
			}
		}
	}
	ir := served(t, s, "IR")
	if got := ir["http://cappuccinomag.com/"]; got != (Target{"http://cappuccinomag.com/", "CULTR", "IR"}) {
		t.Errorf("ir row: %+v", got)
	}
	if got := ir["https://4genderjustice.org/"]; got != (Target{"https://4genderjustice.org/", "HUMR", "XX"}) {
		t.Errorf("global row: %+v", got)
	}
}

// TestRotationCoversEveryURLOfACountryInADay simulates a day of check-ins
// of Iranian probes on three networks, one every 20 minutes, 20 targets
// each: no URL comes twice before every URL came once, ceil(URLs/20)
// check-ins cover the list, and over the day each network alone walks the
// whole list, evenly.
func TestRotationCoversEveryURLOfACountryInADay(t *testing.T) {
	s := openExcerpts(t, Config{})
	all := served(t, s, "IR")
	const perCheckIn = 20
	rounds := (len(all) + perCheckIn - 1) / perCheckIn
	country := map[string]int{}
	network := map[string]map[string]int{}
	for i := 0; i < 72; i++ {
		asn := fmt.Sprintf("AS%d", 44244+i%3)
		ts := s.Pick(context.Background(), Request{CC: "IR", ASN: asn, Max: perCheckIn, Now: day0.Add(time.Duration(i) * 20 * time.Minute)})
		if len(ts) != perCheckIn {
			t.Fatalf("check-in %d got %d targets, want %d", i, len(ts), perCheckIn)
		}
		if network[asn] == nil {
			network[asn] = map[string]int{}
		}
		for _, tg := range ts {
			country[tg.URL]++
			network[asn][tg.URL]++
		}
		switch i {
		case len(all)/perCheckIn - 1: // no URL twice before all were handed out
			for u, n := range country {
				if n > 1 {
					t.Errorf("after %d check-ins %s was handed out %d times, want once", i+1, u, n)
				}
			}
		case rounds - 1: // then every URL at least once
			for u := range all {
				if country[u] == 0 {
					t.Errorf("after %d check-ins %s was never handed out", rounds, u)
				}
			}
		}
	}
	for asn, seen := range network {
		if len(seen) != len(all) {
			t.Errorf("%s measured %d of the %d URLs over the day", asn, len(seen), len(all))
		}
		lo, hi := 1<<30, 0
		for _, n := range seen {
			lo, hi = min(lo, n), max(hi, n)
		}
		if hi-lo > 1 {
			t.Errorf("%s: unfair rotation, URLs handed out between %d and %d times", asn, lo, hi)
		}
	}
}

func TestPickHonoursCategoriesOptOutAndLimits(t *testing.T) {
	s := openExcerpts(t, Config{DefaultTargets: 7, MaxTargets: 50})
	all := served(t, s, "IR")
	count := func(keep func(Target) bool) int {
		n := 0
		for _, tg := range all {
			if keep(tg) {
				n++
			}
		}
		return n
	}
	ctx := context.Background()
	if ts := s.Pick(ctx, Request{CC: "IR", Now: day0}); len(ts) != 7 {
		t.Errorf("default: %d targets, want 7", len(ts))
	}
	if ts := s.Pick(ctx, Request{CC: "IR", Max: 500, Now: day0}); len(ts) != 50 {
		t.Errorf("over the cap: %d targets, want 50", len(ts))
	}
	noNews := count(func(tg Target) bool { return tg.CategoryCode != "NEWS" && tg.CategoryCode != "PORN" })
	ts := s.Pick(ctx, Request{CC: "IR", OptOut: []string{"fexp", "PORN"}, Max: 50, Now: day0})
	got := map[string]bool{}
	for i := 0; i < 10; i++ {
		for _, tg := range ts {
			if tg.CategoryCode == "NEWS" || tg.CategoryCode == "PORN" {
				t.Fatalf("opted-out category handed out: %+v", tg)
			}
			got[tg.URL] = true
		}
		ts = s.Pick(ctx, Request{CC: "IR", OptOut: []string{"fexp", "PORN"}, Max: 50, Now: day0.Add(time.Duration(i+1) * time.Hour)})
	}
	if len(got) != noNews {
		t.Errorf("opt-out: %d distinct URLs over 10 check-ins, want all %d others", len(got), noNews)
	}
	only := count(func(tg Target) bool { return tg.CategoryCode == "ANON" || tg.CategoryCode == "HUMR" })
	ts = s.Pick(ctx, Request{CC: "IR", Categories: []string{"anon", "HUMR"}, Max: 50, Now: day0})
	if len(ts) != only {
		t.Errorf("categories: %d targets, want the %d ANON and HUMR URLs", len(ts), only)
	}
	for _, tg := range ts {
		if tg.CategoryCode != "ANON" && tg.CategoryCode != "HUMR" {
			t.Errorf("category filter let %+v through", tg)
		}
	}
}

func TestVerdictChangesComeFirstInEveryNetwork(t *testing.T) {
	s := openExcerpts(t, Config{ChangedFor: 24 * time.Hour})
	ctx := context.Background()
	const url = "http://cappuccinomag.com/"
	for _, asn := range []string{"AS1", "AS2"} {
		s.Pick(ctx, Request{CC: "IR", ASN: asn, Max: 1000, Now: day0}) // everything measured once
	}
	if !s.VerdictChanged("ir", url, day0.Add(time.Hour)) {
		t.Fatal("VerdictChanged did not find a listed URL")
	}
	if s.VerdictChanged("IR", "https://not-listed.example/", day0) {
		t.Error("VerdictChanged accepted an unlisted URL")
	}
	for _, asn := range []string{"AS1", "AS2"} {
		ts := s.Pick(ctx, Request{CC: "IR", ASN: asn, Max: 5, Now: day0.Add(2 * time.Hour)})
		if ts[0].URL != url {
			t.Errorf("%s: first target %s, want the changed %s", asn, ts[0].URL, url)
		}
		ts = s.Pick(ctx, Request{CC: "IR", ASN: asn, Max: 5, Now: day0.Add(3 * time.Hour)})
		for _, tg := range ts {
			if tg.URL == url {
				t.Errorf("%s: the changed URL came back at once", asn)
			}
		}
	}
	// Changes older than ChangedFor are forgotten.
	s.VerdictChanged("IR", url, day0.Add(4*time.Hour))
	ts := s.Pick(ctx, Request{CC: "IR", ASN: "AS1", Max: 1, Now: day0.Add(29 * time.Hour)})
	if ts[0].URL == url || s.rot.countries["IR"].changed[url] != 0 {
		t.Errorf("a change older than ChangedFor still has priority")
	}
}

func TestMeasuredCountsAsFresh(t *testing.T) {
	s := openExcerpts(t, Config{})
	ctx := context.Background()
	all := served(t, s, "CN")
	for u := range all {
		if u != "https://www.tacticaltech.org/#/" {
			if !s.Measured("CN", "AS4134", u, day0) {
				t.Fatalf("Measured did not find %s", u)
			}
		}
	}
	ts := s.Pick(ctx, Request{CC: "CN", ASN: "AS4134", Max: 1, Now: day0.Add(time.Hour)})
	if len(ts) != 1 || ts[0].URL != "https://www.tacticaltech.org/#/" {
		t.Errorf("Pick after Measured: %+v, want the one URL not measured", ts)
	}
}

func TestRotationRemembersABoundedNumberOfNetworks(t *testing.T) {
	s := openExcerpts(t, Config{MaxNetworks: 3})
	for i := range 10 {
		s.Pick(context.Background(), Request{CC: "RU", ASN: fmt.Sprint("AS", i), Max: 5, Now: day0})
	}
	if n := s.Status().Networks; n != 3 {
		t.Errorf("rotation remembers %d networks, want 3", n)
	}
}

func TestPickStopsWhenContextIsDone(t *testing.T) {
	s := openExcerpts(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ts := s.Pick(ctx, Request{CC: "IR", Now: day0}); ts != nil {
		t.Errorf("Pick on a done context returned %d targets", len(ts))
	}
}

func TestOpenRejectsBadLists(t *testing.T) {
	if _, err := Open(Config{}); !errors.Is(err, ErrNoDir) {
		t.Errorf("Open without Dir: %v", err)
	}
	_, err := Open(Config{Dir: t.TempDir()})
	var le *LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "no test lists (*.csv) in this folder") {
		t.Errorf("Open of an empty folder: %v", err)
	}
	dir := t.TempDir()
	copyDir(t, excerpts, dir)
	appendRow(t, filepath.Join(dir, "ir.csv"), "http://bad host/,NEWS,News Media,2020-01-01,x,")
	if _, err := Open(Config{Dir: dir}); !errors.As(err, &le) || len(le.Problems) != 1 || le.Problems[0].Line != 62 {
		t.Errorf("Open with a bad row: %v", err)
	}
	s, err := Open(Config{Dir: dir, SkipBadRows: true})
	if err != nil || len(served(t, s, "IR")) != 163 || !strings.Contains(s.Status().LastError, "ir.csv:62: the URL contains a space") {
		t.Errorf("SkipBadRows: err %v", err)
	}
}

func appendRow(t *testing.T, path, row string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(row + "\n"); err != nil {
		t.Fatal(err)
	}
}
