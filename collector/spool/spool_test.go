package spool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sonde-project/sonde/collector/spool"
)

func open(t *testing.T, cfg spool.Config) *spool.Spool {
	t.Helper()
	s, err := spool.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func readAll(t *testing.T, s *spool.Spool) ([]string, spool.Position) {
	t.Helper()
	var out []string
	for {
		b, err := s.Read(7, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Records) == 0 {
			return out, b.End
		}
		for _, r := range b.Records {
			out = append(out, string(r))
		}
	}
}

func TestConcurrentAppendsAreReadOnceInOrder(t *testing.T) {
	s := open(t, spool.Config{Dir: t.TempDir(), SegmentBytes: 4096})
	const writers, each = 20, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.Append(context.Background(), fmt.Appendf(nil, "w%02d-%03d", w, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, _ := readAll(t, s)
	if len(got) != writers*each {
		t.Fatalf("read %d records, want %d", len(got), writers*each)
	}
	last := map[string]string{}
	for _, r := range got {
		w := r[:3]
		if prev, ok := last[w]; ok && prev >= r {
			t.Fatalf("record %s after %s: order of one writer not kept", r, prev)
		}
		last[w] = r
	}
	if st := s.Stats(); st.Segments < 2 {
		t.Errorf("4 KiB segments: %d segments for %d records", st.Segments, len(got))
	}
}

func TestReopenResumesFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	s, err := spool.Open(spool.Config{Dir: dir, SegmentBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if err := s.Append(context.Background(), fmt.Appendf(nil, "record-%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.Read(12, 1<<20)
	if err != nil || len(b.Records) != 12 {
		t.Fatalf("read %d, %v", len(b.Records), err)
	}
	if err := s.Commit(b.End); err != nil {
		t.Fatal(err)
	}
	// Read further without committing: a crash replays these.
	if b2, _ := s.Read(5, 1<<20); len(b2.Records) != 5 {
		t.Fatalf("second read: %d", len(b2.Records))
	}
	s.Close()

	s = open(t, spool.Config{Dir: dir, SegmentBytes: 100})
	got, _ := readAll(t, s)
	if len(got) != 18 || got[0] != "record-12" || got[17] != "record-29" {
		t.Fatalf("after reopen read %v", got)
	}
	// Appends after reopen follow.
	if err := s.Append(context.Background(), []byte("after")); err != nil {
		t.Fatal(err)
	}
	if more, _ := readAll(t, s); len(more) != 1 || more[0] != "after" {
		t.Fatalf("after append: %v", more)
	}
}

func TestCommitDeletesConsumedSegments(t *testing.T) {
	dir := t.TempDir()
	s := open(t, spool.Config{Dir: dir, SegmentBytes: 64})
	for i := range 20 {
		if err := s.Append(context.Background(), fmt.Appendf(nil, "some record %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	got, end := readAll(t, s)
	if len(got) != 20 {
		t.Fatalf("read %d", len(got))
	}
	if err := s.Commit(end); err != nil {
		t.Fatal(err)
	}
	after, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(before) < 5 || len(after) > 2 {
		t.Errorf("segments before commit %d, after %d", len(before), len(after))
	}
	if st := s.Stats(); st.PendingBytes != 0 {
		t.Errorf("pending after commit: %d", st.PendingBytes)
	}
}

func TestTornTailIsCutOnOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := spool.Open(spool.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"one", "two", "three"} {
		if err := s.Append(context.Background(), []byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	last := segs[len(segs)-1]
	f, err := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Half a record, as a crash in the middle of a write leaves it.
	f.Write([]byte{40, 0, 0, 0, 1, 2, 3, 4, 'p', 'a', 'r'})
	f.Close()

	s = open(t, spool.Config{Dir: dir})
	if err := s.Append(context.Background(), []byte("four")); err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, s)
	if fmt.Sprint(got) != "[one two three four]" {
		t.Fatalf("read %v", got)
	}
}

func TestMaxBytes(t *testing.T) {
	s := open(t, spool.Config{Dir: t.TempDir(), MaxBytes: 100})
	rec := make([]byte, 40)
	for i := range rec {
		rec[i] = 'x'
	}
	ctx := context.Background()
	if err := s.Append(ctx, rec, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, rec); !errors.Is(err, spool.ErrFull) {
		t.Fatalf("third record: %v, want ErrFull", err)
	}
	_, end := readAll(t, s)
	if err := s.Commit(end); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, rec); err != nil {
		t.Fatalf("after the loader caught up: %v", err)
	}
}

func TestAppendAfterClose(t *testing.T) {
	s, err := spool.Open(spool.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Append(context.Background(), []byte("x")); !errors.Is(err, spool.ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
}

// Records share buffers (few allocations per batch), but each is the
// caller's: appending to one never writes over the next, and records
// larger than a buffer come out whole.
func TestRecordsAreIndependent(t *testing.T) {
	s := open(t, spool.Config{Dir: t.TempDir()})
	big := make([]byte, 5<<20) // more than one buffer
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	recs := [][]byte{[]byte("first"), []byte("second"), big, []byte("last")}
	if err := s.Append(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
	b, err := s.Read(10, 64<<20)
	if err != nil || len(b.Records) != len(recs) {
		t.Fatalf("read %d records (%v), want %d", len(b.Records), err, len(recs))
	}
	_ = append(b.Records[0], "XXXXXXXXXX"...)
	for i, r := range b.Records {
		if string(r) != string(recs[i]) {
			t.Fatalf("record %d: %d bytes %.20q, want %d bytes %.20q", i, len(r), r, len(recs[i]), recs[i])
		}
	}
}
