package upload

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Queue is a directory of measurements waiting for upload:
//
//	pending/<seq>-<sha256>.json  one measurement each, exactly as written
//	rejected/<sha256>.json       refused by the collector, with a .reason file
//	acked.log                    "<sha256> <measurement_uid>" per acknowledged one
//
// It is safe for concurrent use within one process.
type Queue struct {
	dir string

	mu      sync.Mutex
	pending map[string]string // hash → file name in pending/
	acked   map[string]bool
	ackLog  *os.File
	seq     int64
}

// Item is one pending measurement.
type Item struct {
	Hash string
	name string
}

// Open opens (or creates) the queue in dir. Pending files that the ack
// log says were acknowledged (a crash between the two steps of Ack) are
// removed, so they are never sent again; half-written files are removed.
func Open(dir string) (*Queue, error) {
	for _, d := range []string{dir, filepath.Join(dir, "pending"), filepath.Join(dir, "rejected")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, qerr(err)
		}
	}
	q := &Queue{dir: dir, pending: map[string]string{}, acked: map[string]bool{}, seq: time.Now().UnixNano()}
	if err := q.readAckLog(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(dir, "pending"))
	if err != nil {
		return nil, qerr(err)
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, "pending", name)
		hash, ok := hashOf(name)
		switch {
		case strings.HasSuffix(name, ".tmp"):
			_ = os.Remove(path) // a crash before the rename
		case !ok:
			continue // not ours: leave it
		case q.acked[hash]:
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, qerr(err)
			}
		default:
			q.pending[hash] = name
		}
	}
	return q, nil
}

// hashOf extracts the hash from "<seq>-<hash>.json".
func hashOf(name string) (string, bool) {
	base, ok := strings.CutSuffix(name, ".json")
	if !ok {
		return "", false
	}
	_, hash, ok := strings.Cut(base, "-")
	if !ok || len(hash) != 64 {
		return "", false
	}
	if _, err := hex.DecodeString(hash); err != nil {
		return "", false
	}
	return hash, true
}

func (q *Queue) readAckLog() error {
	path := filepath.Join(q.dir, "acked.log")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return qerr(err)
	}
	q.ackLog = f
	br := bufio.NewReader(f)
	var good int64
	for {
		line, err := br.ReadString('\n')
		hash, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if len(hash) == 64 {
			q.acked[hash] = true
		}
		if err == nil {
			good += int64(len(line))
			continue
		}
		if !errors.Is(err, io.EOF) {
			f.Close()
			return qerr(fmt.Errorf("reading acked.log: %w", err))
		}
		if line == "" {
			return nil
		}
		// A torn last line (a crash while acknowledging): cut it off and,
		// when its hash is whole, write it again in full, which errs on
		// the side of not resending.
		if err := f.Truncate(good); err != nil {
			f.Close()
			return qerr(err)
		}
		if len(hash) == 64 {
			if _, err := fmt.Fprintf(f, "%s -\n", hash); err != nil {
				f.Close()
				return qerr(err)
			}
		}
		return f.Sync()
	}
}

// QueueError is a failure of the queue's files (a full disk, a
// permission): retrying the upload does not help.
type QueueError struct{ Err error }

func (e *QueueError) Error() string { return "upload queue: " + e.Err.Error() }
func (e *QueueError) Unwrap() error { return e.Err }

func qerr(err error) error { return &QueueError{err} }

// Hash is a measurement's identity in the queue: the SHA-256 of its
// bytes.
func Hash(m []byte) string {
	h := sha256.Sum256(m)
	return hex.EncodeToString(h[:])
}

// Add queues a measurement unless it is already pending or was
// acknowledged. The file is synced and renamed into place, so that a
// crash leaves either nothing or the whole measurement.
func (q *Queue) Add(m []byte) (added bool, err error) {
	h := Hash(m)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.acked[h] || q.pending[h] != "" {
		return false, nil
	}
	q.seq++
	name := fmt.Sprintf("%020d-%s.json", q.seq, h)
	if err := writeFileSync(filepath.Join(q.dir, "pending", name), m); err != nil {
		return false, qerr(err)
	}
	q.pending[h] = name
	return true, nil
}

// writeFileSync writes path through a temporary file, synced, renamed,
// with the directory synced.
func writeFileSync(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// Pending lists the pending measurements, oldest first.
func (q *Queue) Pending() []Item {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := make([]Item, 0, len(q.pending))
	for h, name := range q.pending {
		items = append(items, Item{Hash: h, name: name})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].name < items[j].name })
	return items
}

// Len is the number of pending measurements.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// Read returns a pending measurement's bytes. A file gone from pending/
// (another probe process acknowledged it) is forgotten and reported with
// fs.ErrNotExist.
func (q *Queue) Read(it Item) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(q.dir, "pending", it.name))
	if errors.Is(err, fs.ErrNotExist) {
		q.mu.Lock()
		delete(q.pending, it.Hash)
		q.mu.Unlock()
	}
	if err != nil {
		return nil, qerr(err)
	}
	return b, nil
}

// Ack records that the collector stored a measurement: first in the ack
// log (synced), then by removing the pending file. After a crash between
// the two, Open removes the file; the measurement is never sent again.
func (q *Queue) Ack(hash, uid string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	name, ok := q.pending[hash]
	if !ok {
		return nil
	}
	uid = strings.Map(func(r rune) rune {
		if r <= ' ' || r >= 0x7f {
			return -1
		}
		return r
	}, uid)
	if _, err := fmt.Fprintf(q.ackLog, "%s %s\n", hash, uid); err != nil {
		return qerr(fmt.Errorf("acked.log: %w", err))
	}
	if err := q.ackLog.Sync(); err != nil {
		return qerr(fmt.Errorf("acked.log: %w", err))
	}
	q.acked[hash] = true
	delete(q.pending, hash)
	if err := os.Remove(filepath.Join(q.dir, "pending", name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return qerr(err)
	}
	return nil
}

// Reject moves a measurement the collector refused to rejected/, with the
// reason next to it, so that it is neither retried nor lost.
func (q *Queue) Reject(hash, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	name, ok := q.pending[hash]
	if !ok {
		return nil
	}
	rej := filepath.Join(q.dir, "rejected", hash)
	if err := os.WriteFile(rej+".reason", []byte(reason+"\n"), 0o600); err != nil {
		return qerr(err)
	}
	if err := os.Rename(filepath.Join(q.dir, "pending", name), rej+".json"); err != nil {
		return qerr(err)
	}
	delete(q.pending, hash)
	return syncDir(filepath.Join(q.dir, "pending"))
}

// Close closes the ack log.
func (q *Queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.ackLog.Close()
}
