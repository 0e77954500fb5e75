package spool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// Batch is what one Read returned.
type Batch struct {
	// Records are copies, the caller's to keep. They are carved out of
	// a few large buffers (one allocation per few MiB, not per record):
	// a record kept keeps its buffer.
	Records [][]byte
	// Bytes is the size of the records.
	Bytes int64
	// End is where the next Read starts; Commit it once the records are
	// stored.
	End Position
	// Corrupt counts segments whose end was a record that did not check
	// out while reading (corruption on disk); what followed it in that
	// segment is skipped.
	Corrupt int
}

type reader struct {
	pos Position
	f   *os.File
	br  *bufio.Reader
	set bool
}

func (r *reader) close() {
	if r.f != nil {
		r.f.Close()
		r.f, r.br = nil, nil
	}
}

// Read carves records out of buffers of arenaSize, and starts a new one
// when less than arenaMin is left (a larger record gets its own).
const arenaSize, arenaMin = 4 << 20, 64 << 10

// Read returns up to maxRecords records (and about maxBytes) after the
// previous Read, or after the checkpoint on the first call. It never
// returns records that are not yet durable. An empty batch means the
// reader has caught up.
func (s *Spool) Read(maxRecords int, maxBytes int64) (Batch, error) {
	r := &s.r
	if !r.set {
		s.mu.Lock()
		r.pos, r.set = s.check, true
		s.mu.Unlock()
	}
	var b Batch
	var arena []byte
	for len(b.Records) < maxRecords && b.Bytes < maxBytes {
		s.mu.Lock()
		limit, known := s.ends[r.pos.Segment]
		next := uint64(0)
		if r.pos.Segment < s.durable.Segment {
			for id := range s.ends {
				if id > r.pos.Segment && (next == 0 || id < next) {
					next = id
				}
			}
		}
		s.mu.Unlock()
		if !known || r.pos.Offset >= limit {
			if next == 0 {
				break
			}
			r.close()
			r.pos = Position{Segment: next}
			continue
		}
		if r.f == nil {
			f, err := os.Open(segmentPath(s.cfg.Dir, r.pos.Segment))
			if err != nil {
				return b, fmt.Errorf("spool: %w", err)
			}
			if _, err := f.Seek(r.pos.Offset, io.SeekStart); err != nil {
				f.Close()
				return b, fmt.Errorf("spool: %w", err)
			}
			r.f, r.br = f, bufio.NewReaderSize(f, 1<<20)
		}
		if cap(arena)-len(arena) < arenaMin {
			size := int64(arenaSize)
			if rem := maxBytes - b.Bytes; rem < size-arenaMin { // a small batch
				size = rem + arenaMin
			}
			arena = make([]byte, 0, size)
		}
		rec, err := readRecord(r.br, arena[len(arena):])
		if errors.Is(err, errBadRecord) || err == io.EOF {
			// Corrupt within the durable range: end the segment here.
			s.mu.Lock()
			s.ends[r.pos.Segment] = r.pos.Offset
			s.mu.Unlock()
			b.Corrupt++
			continue
		}
		if err != nil {
			r.close()
			return b, fmt.Errorf("spool: reading segment %d: %w", r.pos.Segment, err)
		}
		if len(rec) <= cap(arena)-len(arena) { // carved out of arena
			arena = arena[:len(arena)+len(rec)]
		}
		b.Records = append(b.Records, rec[:len(rec):len(rec)])
		b.Bytes += int64(len(rec))
		r.pos.Offset += int64(headerSize + len(rec))
	}
	b.End = r.pos
	return b, nil
}

// Commit records that everything before pos is stored, durably, and
// deletes the segments before it.
func (s *Spool) Commit(pos Position) error {
	if err := s.cp.write(pos); err != nil {
		return err
	}
	s.mu.Lock()
	s.check = pos
	var drop []uint64
	for id := range s.ends {
		if id < pos.Segment && id != s.active {
			drop = append(drop, id)
			delete(s.ends, id)
		}
	}
	s.mu.Unlock()
	for _, id := range drop {
		if err := os.Remove(segmentPath(s.cfg.Dir, id)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("spool: %w", err)
		}
	}
	return nil
}

const checkpointName = "checkpoint"

// The checkpoint file has two fixed 64-byte slots, written alternately in
// place: rewriting it needs no new disk blocks, so the loader can still
// record progress (and free segments) when the disk is full. Each slot
// carries a sequence number and a CRC; the valid slot with the highest
// sequence wins, so a torn write leaves the previous checkpoint.
const slotSize = 64

type checkpointFile struct {
	f   *os.File
	seq uint64
}

func openCheckpoint(dir string) (*checkpointFile, Position, error) {
	path := filepath.Join(dir, checkpointName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, Position{}, fmt.Errorf("spool: checkpoint: %w", err)
	}
	var buf [2 * slotSize]byte
	n, err := f.ReadAt(buf[:], 0)
	if err != nil && err != io.EOF {
		f.Close()
		return nil, Position{}, fmt.Errorf("spool: checkpoint: %w", err)
	}
	c := &checkpointFile{f: f}
	var pos Position
	for i := 0; i+slotSize <= n; i += slotSize {
		if seq, p, ok := decodeSlot(buf[i : i+slotSize]); ok && seq >= c.seq {
			c.seq, pos = seq, p
		}
	}
	if n < len(buf) {
		// New: reserve both slots now, while there is space.
		if _, err := f.WriteAt(make([]byte, len(buf)-n), int64(n)); err != nil {
			f.Close()
			return nil, Position{}, fmt.Errorf("spool: checkpoint: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, Position{}, fmt.Errorf("spool: checkpoint: %w", err)
		}
	}
	return c, pos, nil
}

func decodeSlot(b []byte) (uint64, Position, bool) {
	if string(b[:4]) != "SCP1" {
		return 0, Position{}, false
	}
	if crc32.Checksum(b[:28], castagnoli) != binary.LittleEndian.Uint32(b[28:32]) {
		return 0, Position{}, false
	}
	p := Position{Segment: binary.LittleEndian.Uint64(b[12:20]), Offset: int64(binary.LittleEndian.Uint64(b[20:28]))}
	return binary.LittleEndian.Uint64(b[4:12]), p, p.Offset >= 0
}

func (c *checkpointFile) write(p Position) error {
	var b [slotSize]byte
	copy(b[:4], "SCP1")
	binary.LittleEndian.PutUint64(b[4:12], c.seq+1)
	binary.LittleEndian.PutUint64(b[12:20], p.Segment)
	binary.LittleEndian.PutUint64(b[20:28], uint64(p.Offset))
	binary.LittleEndian.PutUint32(b[28:32], crc32.Checksum(b[:28], castagnoli))
	slot := int64((c.seq + 1) % 2 * slotSize)
	if _, err := c.f.WriteAt(b[:], slot); err != nil {
		return fmt.Errorf("spool: checkpoint: %w", err)
	}
	if err := c.f.Sync(); err != nil {
		return fmt.Errorf("spool: checkpoint: %w", err)
	}
	c.seq++
	return nil
}
