package testlists

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// benchDir writes lists the size of upstream's largest: a global list of
// 1,722 URLs and an "ir" list of 903, built from the real excerpts' rows
// with numbered hosts. SONDE_TEST_LISTS points at a real checkout instead.
func benchDir(b *testing.B) string {
	if d := os.Getenv("SONDE_TEST_LISTS"); d != "" {
		return d
	}
	dir := b.TempDir()
	copyDir(b, excerpts, dir)
	for name, n := range map[string]int{"global": 1722, "ir": 903} {
		real, ps := ReadPath(filepath.Join(excerpts, name+".csv"))
		if len(ps) > 0 {
			b.Fatal(ps)
		}
		var rows []Entry
		for i := range n {
			e := real[i%len(real)]
			e.URL = strings.Replace(e.URL, "://", fmt.Sprintf("://n%d.", i), 1)
			rows = append(rows, e)
		}
		f, err := os.Create(filepath.Join(dir, name+".csv"))
		if err != nil {
			b.Fatal(err)
		}
		if err := Write(f, rows); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	return dir
}

// BenchmarkPick: one check-in of 100 targets in a country of 2,600 URLs,
// from 64 networks in turn.
func BenchmarkPick(b *testing.B) {
	s, err := Open(Config{Dir: benchDir(b), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	urls := len(s.snap.Load().forCountry("IR").items)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.Pick(ctx, Request{CC: "IR", ASN: fmt.Sprint("AS", i%64), Max: 100, Now: day0.Add(time.Duration(i) * time.Second)})
	}
	b.ReportMetric(float64(urls), "urls")
	b.ReportMetric(float64(4*urls), "state-bytes/network")
}

// BenchmarkLoadDir: reading and checking every list of the folder.
func BenchmarkLoadDir(b *testing.B) {
	dir := benchDir(b)
	var rows int
	b.ReportAllocs()
	for b.Loop() {
		set, ps := LoadDir(dir)
		if len(Errors(ps)) > 0 {
			b.Fatal(ps[0])
		}
		rows = 0
		for _, l := range set.Lists {
			rows += len(l.Entries)
		}
	}
	b.ReportMetric(float64(rows), "rows")
}

// BenchmarkStoreMemory: heap held by a Store after 1,024 networks checked in.
func BenchmarkStoreMemory(b *testing.B) {
	dir := benchDir(b)
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s, err := Open(Config{Dir: dir, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 1024 {
			s.Pick(context.Background(), Request{CC: "IR", ASN: fmt.Sprint("AS", i), Max: 10, Now: day0})
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB")
		runtime.KeepAlive(s)
	}
}

func BenchmarkNormalize(b *testing.B) {
	for b.Loop() {
		_, _ = Normalize("https://www.dw.com/ru/беларусь/s-9500?q=%7e#frag")
	}
}
