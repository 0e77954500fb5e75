package testlists

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Store. The zero value of every field but Dir works.
type Config struct {
	// Dir is a checkout of citizenlab/test-lists (its root or its lists/
	// folder), or any folder of lists in that format. REQUIRED.
	Dir string
	// DefaultTargets is how many targets a check-in gets when it does not
	// say. OPTIONAL: 100.
	DefaultTargets int
	// MaxTargets caps what a check-in may ask for. OPTIONAL: 1000.
	MaxTargets int
	// MaxNetworks bounds how many networks (country, ASN) the rotation
	// remembers; the least recently seen is forgotten first. Memory is
	// about 4 bytes × URLs of the country per network. OPTIONAL: 1024.
	MaxNetworks int
	// ChangedFor is how long a changed verdict keeps a URL at the front of
	// the queue until each network of the country has measured it again.
	// OPTIONAL: 48h.
	ChangedFor time.Duration
	// SkipBadRows serves the valid rows of lists that have errors instead
	// of refusing them; Reload still returns the errors and Status reports
	// them. OPTIONAL: false, lists with an error are not served.
	SkipBadRows bool
	// Seed fixes the order among equally stale URLs. OPTIONAL: random.
	Seed uint64
	// Now is the clock for Status and for requests without Now.
	// OPTIONAL: time.Now.
	Now func() time.Time
	// Logger receives reloads (Info) and rejected lists (Warn). OPTIONAL:
	// nil discards.
	Logger *slog.Logger
}

func (c *Config) fill() {
	c.DefaultTargets = cmp.Or(c.DefaultTargets, 100)
	c.MaxTargets = cmp.Or(c.MaxTargets, 1000)
	c.MaxNetworks = cmp.Or(c.MaxNetworks, 1024)
	c.ChangedFor = cmp.Or(c.ChangedFor, 48*time.Hour)
	if c.Seed == 0 {
		c.Seed = rand.Uint64()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Store serves the test lists to check-ins: it loads a folder, reloads it
// when asked or when it changes, and picks targets for each probe while
// remembering what each country and network measured lately. All methods
// are safe for concurrent use.
type Store struct {
	cfg  Config
	snap atomic.Pointer[snapshot]

	reloadMu sync.Mutex // one reload at a time
	tried    atomic.Uint64

	mu          sync.Mutex // guards rot, lastErr, lastErrAt
	rot         rotation
	lastErr     error
	lastErrAt   time.Time
	lastWarning int
}

// ErrNoDir is returned by Open without Config.Dir.
var ErrNoDir = errors.New("testlists: Config.Dir is required")

// Open loads the lists of cfg.Dir. It fails when the folder cannot be read
// or, unless cfg.SkipBadRows, when a list has an error (a *LoadError
// listing them with file and line), so that a collector never starts on
// lists it would serve wrongly.
func Open(cfg Config) (*Store, error) {
	if cfg.Dir == "" {
		return nil, ErrNoDir
	}
	cfg.fill()
	s := &Store{cfg: cfg, rot: newRotation(cfg.MaxNetworks)}
	if err := s.Reload(); err != nil && s.snap.Load() == nil {
		return nil, err
	}
	return s, nil
}

// Reload reads the folder again. When the new lists have errors (or the
// folder went missing or empty) the Store keeps serving the previous
// version and Reload returns the errors; Status reports them too. Call it
// from the collector's SIGHUP handler; Watch calls it when files change.
// Rotation state carries over: URLs still listed keep their history.
func (s *Store) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	fp, _ := fingerprint(s.cfg.Dir)
	s.tried.Store(fp)
	set, ps := LoadDir(s.cfg.Dir)
	errs := Errors(ps)
	now := s.cfg.Now()
	var loadErr error
	if len(errs) > 0 {
		loadErr = &LoadError{Dir: set.Dir, Problems: errs}
	}
	old := s.snap.Load()
	if setURLs(set) == 0 || loadErr != nil && !s.cfg.SkipBadRows {
		if loadErr == nil {
			loadErr = &LoadError{Dir: set.Dir, Problems: []*Problem{{File: set.Dir, Msg: "the lists have no valid rows"}}}
		}
		s.setErr(loadErr, now)
		if old != nil {
			s.cfg.Logger.Warn("test lists rejected, still serving the previous version",
				"dir", set.Dir, "errors", len(errs), "serving_version", old.version, "loaded_at", old.loadedAt, "first", firstProblem(errs))
			return fmt.Errorf("test lists not reloaded, still serving version %d of %s: %w",
				old.version, old.loadedAt.Format(time.RFC3339), loadErr)
		}
		return loadErr
	}
	var version uint64 = 1
	if old != nil {
		version = old.version + 1
	}
	sn := newSnapshot(set, version, now, s.cfg.Seed)
	s.snap.Store(sn)
	s.setErr(loadErr, now)
	s.mu.Lock()
	s.lastWarning = len(ps) - len(errs)
	s.mu.Unlock()
	s.cfg.Logger.Info("test lists loaded", "dir", set.Dir, "version", version,
		"lists", len(set.Lists), "urls", sn.urls, "warnings", len(ps)-len(errs), "errors_skipped", len(errs))
	return loadErr
}

func setURLs(set *Set) int {
	n := 0
	for _, l := range set.Lists {
		n += len(l.Entries)
	}
	return n
}

func firstProblem(ps []*Problem) string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0].Error()
}

func (s *Store) setErr(err error, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErr = err
	if err != nil {
		s.lastErrAt = at
	}
}

// Status describes what the Store serves, for health checks and metrics.
type Status struct {
	Dir       string    `json:"dir"`
	Version   uint64    `json:"version"` // 1 at Open, +1 per successful reload
	LoadedAt  time.Time `json:"loaded_at"`
	Lists     int       `json:"lists"`
	Countries int       `json:"countries"` // country lists (two-letter names)
	URLs      int       `json:"urls"`
	Warnings  int       `json:"warnings"`
	// LastError is the last reload's error, "" when it succeeded.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Networks    int       `json:"networks"` // networks the rotation remembers
}

// Status returns what is being served and the last reload's outcome.
func (s *Store) Status() Status {
	sn := s.snap.Load()
	st := Status{Dir: sn.set.Dir, Version: sn.version, LoadedAt: sn.loadedAt,
		Lists: len(sn.set.Lists), Countries: len(sn.countries), URLs: sn.urls}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastErr != nil {
		st.LastError, st.LastErrorAt = s.lastErr.Error(), s.lastErrAt
	}
	st.Warnings = s.lastWarning
	st.Networks = s.rot.lru.Len()
	return st
}

// Set returns the lists being served (do not modify them).
func (s *Store) Set() *Set { return s.snap.Load().set }
