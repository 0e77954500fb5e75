package spool

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

type appendReq struct {
	records [][]byte
	size    int64
	done    chan error
}

// Append writes records and returns once they are durable (fsync'd). On
// error none of them is acknowledged; some may still be loaded later, so
// the caller must tolerate a retry that stores the same record twice in
// the spool (the loader deduplicates).
func (s *Spool) Append(ctx context.Context, records ...[]byte) error {
	if len(records) == 0 {
		return nil
	}
	req := &appendReq{records: records, done: make(chan error, 1)}
	for _, r := range records {
		if len(r) == 0 || len(r) > MaxRecord {
			return ErrRecordTooLarge
		}
		req.size += int64(headerSize + len(r))
	}
	select {
	case s.reqs <- req:
	case <-s.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, the write completes whatever the context says: the
	// answer must match what is on disk.
	return <-req.done
}

// run is the writer goroutine: it owns s.w.
func (s *Spool) run() {
	defer close(s.stopped)
	var buf []byte
	for {
		var first *appendReq
		select {
		case first = <-s.reqs:
		case <-s.stop:
			return
		}
		group := []*appendReq{first}
		size := first.size
	gather: // every append already waiting joins this fsync
		for size < 32<<20 {
			select {
			case r := <-s.reqs:
				group = append(group, r)
				size += r.size
			default:
				break gather
			}
		}
		buf = buf[:0]
		var accepted []*appendReq
		for _, r := range group {
			if err := s.admit(r.size); err != nil {
				r.done <- err
				continue
			}
			for _, rec := range r.records {
				buf = appendRecord(buf, rec)
			}
			accepted = append(accepted, r)
		}
		if len(accepted) == 0 {
			continue
		}
		err := s.w.write(buf)
		if err == nil {
			s.mu.Lock()
			s.ends[s.w.id] = s.w.size
			s.durable = Position{Segment: s.w.id, Offset: s.w.size}
			s.active = s.w.id
			s.mu.Unlock()
			select {
			case s.notify <- struct{}{}:
			default:
			}
		}
		for _, r := range accepted {
			r.done <- err
		}
		if err == nil && s.w.size >= s.w.segmentBytes {
			s.rotate()
		}
	}
}

// admit checks MaxBytes.
func (s *Spool) admit(size int64) error {
	if s.cfg.MaxBytes <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pendingLocked()+size > s.cfg.MaxBytes {
		return ErrFull
	}
	return nil
}

// rotate seals the active segment and opens the next. A failure leaves
// the writer without a file; the next write opens one.
func (s *Spool) rotate() {
	next := s.w.id + 1
	_ = s.w.close()
	if s.w.open(next) == nil {
		s.mu.Lock()
		s.ends[next] = 0
		s.active = next
		s.mu.Unlock()
	}
}

// segmentWriter appends to one segment file.
type segmentWriter struct {
	dir          string
	segmentBytes int64
	id           uint64
	f            *os.File
	size         int64 // durable size
}

func (w *segmentWriter) open(id uint64) error {
	f, err := os.OpenFile(segmentPath(w.dir, id), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		f.Close()
		return err
	}
	w.id, w.f, w.size = id, f, 0
	return nil
}

// write appends buf and fsyncs. On failure the file is truncated back to
// its durable size; if that fails too, the segment is abandoned at that
// size and the next write goes to a new segment.
func (w *segmentWriter) write(buf []byte) error {
	if w.f == nil {
		if err := w.open(w.id + 1); err != nil {
			return err
		}
	}
	_, err := w.f.WriteAt(buf, w.size)
	if err == nil {
		err = w.f.Sync()
	}
	if err == nil {
		w.size += int64(len(buf))
		return nil
	}
	if terr := w.f.Truncate(w.size); terr != nil || w.f.Sync() != nil {
		w.f.Close()
		w.f = nil // the reader stops at the durable end; recovery at the first bad record
	}
	return fmt.Errorf("spool: writing %s: %w", filepath.Base(segmentPath(w.dir, w.id)), err)
}

func (w *segmentWriter) close() error {
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("spool: syncing %s: %w", dir, err)
	}
	return nil
}
