package testlists

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"os"
	"path/filepath"
	"time"
)

// Watch polls the folder every interval (30s when interval <= 0) and
// reloads when a list or legend was added, removed or modified (by size
// and modification time), so that a `git pull` in a checkout of the
// upstream lists is served without a restart. A reload that finds errors
// keeps the previous version (see Reload) and is not retried until the
// files change again. Watch returns nil when ctx is done; run it in a
// goroutine the caller owns.
func (s *Store) Watch(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		fp, err := fingerprint(s.cfg.Dir)
		if err != nil {
			s.cfg.Logger.Warn("cannot read the test lists folder", "dir", s.cfg.Dir, "err", err)
			continue
		}
		if fp != s.tried.Load() {
			_ = s.Reload() // logs and records its outcome
		}
	}
}

// fingerprint hashes the names, sizes and modification times of the
// files LoadDir reads.
func fingerprint(dir string) (uint64, error) {
	dir = ListsDir(dir)
	h := fnv.New64a()
	h.Write([]byte(dir))
	files, err := listFiles(dir)
	if err != nil {
		return 0, err
	}
	files = append(files, filepath.Join(dir, CategoryLegendFile), filepath.Join(dir, LegacyCategoryLegendFile),
		filepath.Join(dir, CountryLegendFile))
	var buf [16]byte
	for _, f := range files {
		h.Write([]byte(f))
		fi, err := os.Stat(f)
		if err != nil {
			h.Write([]byte{0})
			continue
		}
		binary.LittleEndian.PutUint64(buf[:8], uint64(fi.Size()))
		binary.LittleEndian.PutUint64(buf[8:], uint64(fi.ModTime().UnixNano()))
		h.Write(buf[:])
	}
	return h.Sum64(), nil
}
