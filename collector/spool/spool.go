package spool

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Config describes a spool. Dir is REQUIRED.
type Config struct {
	// Dir holds the segments and the checkpoint; created if missing.
	// REQUIRED.
	Dir string
	// SegmentBytes is the size at which a new segment is started.
	// OPTIONAL: 64 MiB.
	SegmentBytes int64
	// MaxBytes bounds what waits for the loader; an append that would go
	// past it fails with ErrFull. OPTIONAL: 0, no bound but the disk.
	MaxBytes int64
}

// Errors of Append.
var (
	// ErrFull: the spool holds MaxBytes that the loader has not taken yet.
	ErrFull = errors.New("spool: full (the loader is behind; is ClickHouse reachable?)")
	// ErrClosed: the spool was closed.
	ErrClosed = errors.New("spool: closed")
)

// Position is a place in the spool: a segment and a byte offset in it.
type Position struct {
	Segment uint64
	Offset  int64
}

// Spool is an open spool. Append is safe for concurrent use; Read and
// Commit are for one reader (the loader).
type Spool struct {
	cfg Config

	reqs    chan *appendReq
	stop    chan struct{}
	stopped chan struct{}
	notify  chan struct{}

	mu      sync.Mutex
	ends    map[uint64]int64 // durable end of every segment not yet deleted
	active  uint64           // the segment being written
	durable Position         // end of what has been fsync'd
	check   Position         // the loader's checkpoint
	closed  bool

	cp *checkpointFile // owned by the reader
	w  *segmentWriter  // owned by the writer goroutine
	r  reader          // owned by the reader
}

// Open opens (or creates) the spool in cfg.Dir, recovers every segment's
// valid end and starts a new segment for appends.
func Open(cfg Config) (*Spool, error) {
	if cfg.Dir == "" {
		return nil, errors.New("spool: no directory configured")
	}
	cfg.SegmentBytes = cmp.Or(cfg.SegmentBytes, 64<<20)
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spool{
		cfg:     cfg,
		reqs:    make(chan *appendReq),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
		notify:  make(chan struct{}, 1),
		ends:    map[uint64]int64{},
	}
	cp, check, err := openCheckpoint(cfg.Dir)
	if err != nil {
		return nil, err
	}
	s.cp = cp
	ids, err := listSegments(cfg.Dir)
	if err != nil {
		return nil, err
	}
	last := uint64(0)
	for _, id := range ids {
		if id < check.Segment {
			// Consumed before a crash prevented its removal.
			_ = os.Remove(segmentPath(cfg.Dir, id))
			continue
		}
		end, err := validEnd(segmentPath(cfg.Dir, id))
		if err != nil {
			return nil, err
		}
		s.ends[id] = end
		last = id
	}
	if check.Segment == 0 {
		check.Segment = 1
		if len(s.ends) > 0 {
			check.Segment = ids[0]
		}
	}
	s.check = check
	s.w = &segmentWriter{dir: cfg.Dir, segmentBytes: cfg.SegmentBytes}
	if err := s.w.open(max(last+1, check.Segment)); err != nil {
		cp.f.Close()
		return nil, err
	}
	s.active = s.w.id
	s.ends[s.w.id] = 0
	s.durable = Position{Segment: s.w.id}
	go s.run()
	return s, nil
}

// Notify returns a channel that receives a value after new records became
// durable.
func (s *Spool) Notify() <-chan struct{} { return s.notify }

// Stats describe the spool for health and metrics.
type Stats struct {
	// PendingBytes is what the loader has not committed yet.
	PendingBytes int64
	// Segments is the number of segment files.
	Segments int
	// Checkpoint is the loader's position.
	Checkpoint Position
}

// Stats returns the spool's current figures.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{PendingBytes: s.pendingLocked(), Segments: len(s.ends), Checkpoint: s.check}
}

func (s *Spool) pendingLocked() int64 {
	var n int64
	for id, end := range s.ends {
		switch {
		case id > s.check.Segment:
			n += end
		case id == s.check.Segment:
			n += end - s.check.Offset
		}
	}
	return n
}

// Close stops the writer after answering the appends in progress and
// closes the active segment. Records stay for the next Open.
func (s *Spool) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.stopped
	s.r.close()
	s.cp.f.Close()
	return s.w.close()
}

func segmentPath(dir string, id uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%016d.seg", id))
}

func listSegments(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var ids []uint64
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".seg")
		if !ok {
			continue
		}
		if id, err := strconv.ParseUint(name, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// validEnd returns the offset just after the last good record of a
// segment.
func validEnd(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var end int64
	var scratch []byte
	for {
		rec, err := readRecord(br, scratch)
		if err == io.EOF || errors.Is(err, errBadRecord) {
			return end, nil
		}
		if err != nil {
			return 0, fmt.Errorf("spool: reading %s: %w", path, err)
		}
		scratch = rec[:0]
		end += int64(headerSize + len(rec))
	}
}
