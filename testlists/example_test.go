package testlists_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/testlists"
)

// A collector serves check-ins from a checkout of citizenlab/test-lists.
func ExampleStore() {
	store, err := testlists.Open(testlists.Config{Dir: "testdata/lists", Seed: 1})
	if err != nil {
		log.Fatal(err) // a *LoadError lists each problem as file:line
	}
	in := probeapi.CheckInRequest{CategoriesOptOut: []string{"PORN"}, MaxTargets: 4}
	// The collector geolocates the probe: Iran, AS44244.
	req := testlists.RequestFromCheckIn(&in, "IR", "AS44244", time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	for _, t := range store.Pick(context.Background(), req) {
		fmt.Println(t.CountryCode, t.CategoryCode, t.URL)
	}
	// The next check-in from the same network gets the next URLs.
	req.Now = req.Now.Add(time.Hour)
	next := testlists.CheckInTargets(store.Pick(context.Background(), req))
	fmt.Println(len(next), "more, starting with", next[0].URL)
	// Output:
	// XX HUMR https://secure.avaaz.org/
	// XX CULTR https://www.gawker.com/
	// XX HOST https://www.autistici.org/
	// IR ECON http://www.aleqt.com/
	// 4 more, starting with https://adultfriendfinder.com/
}

// The analysis saw blocking start or stop: every network of the country
// measures the URL again first.
func ExampleStore_VerdictChanged() {
	store, err := testlists.Open(testlists.Config{Dir: "testdata/lists", Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	store.VerdictChanged("RU", "https://www.ccc.de/", now)
	t := store.Pick(context.Background(), testlists.Request{CC: "RU", ASN: "AS12389", Max: 1, Now: now})
	fmt.Println(t[0].URL)
	// Output: https://www.ccc.de/
}

// Reload on SIGHUP and when the checkout changes (a cron job runs
// `git pull`). A broken list is reported and the previous version served.
func ExampleStore_Watch() {
	store, err := testlists.Open(testlists.Config{Dir: "/srv/test-lists"})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			if err := store.Reload(); err != nil {
				log.Print(err)
			}
		}
	}()
	_ = store.Watch(ctx, time.Minute) // returns when ctx is done
}

// The probe reads a volunteer's own list: one URL a line is enough.
func ExampleReadFile() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "mine.txt")
	_ = os.WriteFile(path, []byte("# sites my neighbours cannot open\nhttps://www.bbc.com/persian/\nwww.example.org\n"), 0o644)
	entries, errs := testlists.ReadFile(path)
	for _, e := range entries {
		fmt.Println("measure", e.URL)
	}
	for _, err := range errs {
		fmt.Println(strings.TrimPrefix(err.Error(), dir+string(filepath.Separator)))
	}
	// Output:
	// measure https://www.bbc.com/persian/
	// mine.txt:3: the URL has no scheme: "www.example.org" (fix: write it as https://www.example.org or http://…)
}
