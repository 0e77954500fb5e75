package testlists

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestReloadKeepsTheLastGoodVersion(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, excerpts, dir)
	s := openExcerpts(t, Config{Dir: dir})
	ir := filepath.Join(dir, "ir.csv")
	good, _ := os.ReadFile(ir)

	appendRow(t, ir, "https://new.example.org/,NEWS,News Media,2026-07-01,test,")
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Version != 2 || st.LastError != "" || len(served(t, s, "IR")) != 164 {
		t.Fatalf("after a good reload: %+v", st)
	}

	appendRow(t, ir, "https://other.example.org/,NEWS,News,2026-07-01,test,")
	err := s.Reload()
	if err == nil || !strings.Contains(err.Error(), "still serving version 2") ||
		!strings.Contains(err.Error(), `ir.csv:63: category_description "News" does not match NEWS in the legend (fix: write "News Media")`) {
		t.Fatalf("reload of a bad list: %v", err)
	}
	st := s.Status()
	if st.Version != 2 || !strings.Contains(st.LastError, "ir.csv:63") || len(served(t, s, "IR")) != 164 {
		t.Errorf("after a bad reload: %+v", st)
	}

	if err := os.Remove(ir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ir, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil || s.Status().Version != 3 || len(served(t, s, "IR")) != 163 {
		t.Errorf("reload after the fix: %v, %+v", err, s.Status())
	}
}

// TestReloadCarriesTheRotationOver: URLs still listed keep their history.
func TestReloadCarriesTheRotationOver(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, excerpts, dir)
	s := openExcerpts(t, Config{Dir: dir})
	ctx := context.Background()
	first := s.Pick(ctx, Request{CC: "RU", ASN: "AS1", Max: 100, Now: day0})
	appendRow(t, filepath.Join(dir, "ru.csv"), "https://new.example.org/,NEWS,News Media,2026-07-01,test,")
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	second := s.Pick(ctx, Request{CC: "RU", ASN: "AS1", Max: 100, Now: day0.Add(time.Hour)})
	before := map[string]bool{}
	for _, tg := range first {
		before[tg.URL] = true
	}
	var sawNew bool
	for i, tg := range second {
		if i < 165-100 && before[tg.URL] {
			t.Errorf("%s came back before the URLs not yet handed out", tg.URL)
		}
		sawNew = sawNew || tg.URL == "https://new.example.org/"
	}
	if !sawNew {
		t.Error("the URL added by the reload was not handed out")
	}
}

func TestWatchReloadsWhenFilesChange(t *testing.T) {
	root := t.TempDir()
	copyDir(t, excerpts, filepath.Join(root, "lists")) // a checkout's layout
	s := openExcerpts(t, Config{Dir: root})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.Watch(ctx, 5*time.Millisecond); err != nil {
			t.Error(err)
		}
	}()
	defer func() { cancel(); wg.Wait() }()

	// A new country list, as a `git pull` brings it.
	row := "https://www.hrw.org/,HUMR,Human Rights Issues,2026-07-01,test,\n"
	if err := os.WriteFile(filepath.Join(root, "lists", "tv.csv"), []byte(strings.Join(Header, ",")+"\n"+row), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Status().Version == 2 })
	if got := served(t, s, "TV"); len(got) != 104 || got["https://www.hrw.org/"].CountryCode != "TV" {
		t.Errorf("after the watch reloaded: TV is served %d URLs", len(got))
	}
	// A broken edit is reported and not served; the next good one is.
	appendRow(t, filepath.Join(root, "lists", "tv.csv"), "not a url,HUMR,Human Rights Issues,2026-07-01,test,")
	waitFor(t, func() bool { return s.Status().LastError != "" })
	if st := s.Status(); st.Version != 2 || !strings.Contains(st.LastError, "tv.csv:3: the URL contains a space") {
		t.Errorf("after a broken edit: %+v", st)
	}
	if err := os.Remove(filepath.Join(root, "lists", "tv.csv")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Status().Version == 3 })
	if got := served(t, s, "TV"); len(got) != 103 {
		t.Errorf("after the list was removed: TV is served %d URLs", len(got))
	}
}

// waitFor polls cond until it holds; it fails the test after 10s (a hang,
// not a timing assertion).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestConcurrentUse runs check-ins, feedback and reloads at once; run
// with -race.
func TestConcurrentUse(t *testing.T) {
	s := openExcerpts(t, Config{MaxNetworks: 8})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				cc := []string{"IR", "CN", "RU", "BR"}[(g+i)%4]
				now := day0.Add(time.Duration(i) * time.Minute)
				ts := s.Pick(ctx, Request{CC: cc, ASN: fmt.Sprint("AS", g), Max: 10, Now: now})
				if len(ts) != 10 {
					t.Errorf("got %d targets", len(ts))
					return
				}
				s.VerdictChanged(cc, ts[0].URL, now)
				s.Measured(cc, "AS99", ts[1].URL, now)
				if i%10 == 0 {
					if err := s.Reload(); err != nil {
						t.Error(err)
					}
					_ = s.Status()
				}
			}
		}()
	}
	wg.Wait()
}
