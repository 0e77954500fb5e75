package spool_test

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/sonde-project/sonde/collector/spool"
)

// FuzzSegment puts arbitrary bytes where a segment and a checkpoint
// (disk corruption, a torn write, a hostile file) would be: opening the
// spool must not fail or panic, every record it reads must be one whose
// checksum holds, and new appends must work and be read back.
func FuzzSegment(f *testing.F) {
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	record := func(payload string) []byte {
		b := binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))
		b = binary.LittleEndian.AppendUint32(b, crc32.Checksum([]byte(payload), castagnoli))
		return append(b, payload...)
	}
	f.Add(append(record("first"), record("second")...), []byte{})
	f.Add(append(record("whole"), record("torn tail")[:9]...), []byte("SCP1"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, make([]byte, 128))
	f.Fuzz(func(t *testing.T, segment, checkpoint []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "0000000000000001.seg"), segment, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "checkpoint"), checkpoint, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := spool.Open(spool.Config{Dir: dir})
		if err != nil {
			t.Fatalf("opening a damaged spool: %v", err)
		}
		defer s.Close()
		if err := s.Append(context.Background(), []byte("after")); err != nil {
			t.Fatal(err)
		}
		last := ""
		for range 1000 {
			b, err := s.Read(100, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Records) == 0 {
				break
			}
			last = string(b.Records[len(b.Records)-1])
		}
		if last != "after" {
			t.Fatalf("the record appended after opening was not read last (got %q)", last)
		}
	})
}
