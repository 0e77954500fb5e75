package collector

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sonde-project/sonde/collector/geoip"
	"github.com/sonde-project/sonde/collector/loader"
	"github.com/sonde-project/sonde/collector/spool"
	"github.com/sonde-project/sonde/internal/warehouse"
)

// Deps are what the binary plugs into the collector. All are OPTIONAL.
type Deps struct {
	// Analyze computes each measurement's verdict (analysis.Analyze).
	// Without it no verdicts are stored.
	Analyze loader.AnalyzeFunc
	// AnalyzeWithSteps, when set, is used instead of Analyze: the
	// verdict and the observations share one decoding of the test keys
	// (analysis.AnalyzeWithSteps).
	AnalyzeWithSteps loader.AnalyzeStepsFunc
	// Targets hands out what to measure at check-in (testlists). Without
	// it check-in lists the tests with no targets.
	Targets Targets
	// ControlHelper is served at control_helper.path when set.
	ControlHelper http.Handler
	// Research adds the researcher API and the report pages
	// (collector/researchapi) to the collector's routes.
	Research interface{ Register(*http.ServeMux) }
	// Logger. Default: none.
	Logger *slog.Logger
	// Now. Default: time.Now.
	Now func() time.Time
}

// Service is a running collector: HTTP handlers, spool and loader.
type Service struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	now     func() time.Time
	spool   *spool.Spool
	loader  *loader.Loader
	geo     *geoip.DB
	tokens  *tokenStore
	reports *reportKeys
	recent  *recentUIDs
	valid   *validator
	met     *metrics

	perProbe, perIP, registerPerIP *limiter
	failedAuth                     *limiter
	ipSalt                         [16]byte
	proxies                        []netPrefix
	uploads                        chan struct{} // semaphore
	inflight                       *budget       // request bodies in memory

	handler    http.Handler
	loadCancel context.CancelFunc
	loadDone   chan struct{}
	finishing  chan struct{} // closed by Close
	closeOnce  sync.Once
}

// Open opens the spool, the token store and the mmdb files, and starts
// the loader, which connects to ClickHouse (and applies the migrations)
// in the background, retrying while it is down: uploads are accepted from
// the start.
func Open(cfg Config, deps Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Service{cfg: cfg, deps: deps, log: deps.Logger, now: deps.Now, met: newMetrics()}
	dir := cfg.dataDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data_dir: %w", err)
	}
	var err error
	if s.geo, err = geoip.Open(cfg.GeoIP.CountryDB, cfg.GeoIP.ASNDB); err != nil {
		return nil, err
	}
	if s.tokens, err = openTokenStore(filepath.Join(dir, "probe-tokens.jsonl")); err != nil {
		s.geo.Close()
		return nil, fmt.Errorf("probe tokens: %w", err)
	}
	keyFile := cfg.Auth.ReportKeyFile
	if keyFile == "" {
		keyFile = filepath.Join(dir, "report-id.key")
	}
	if s.reports, err = loadReportKey(keyFile); err != nil {
		s.geo.Close()
		s.tokens.close()
		return nil, err
	}
	s.spool, err = spool.Open(spool.Config{Dir: filepath.Join(dir, "spool"), SegmentBytes: cfg.Spool.SegmentBytes, MaxBytes: cfg.Spool.MaxBytes})
	if err != nil {
		s.geo.Close()
		s.tokens.close()
		return nil, err
	}
	lim := cfg.limits()
	s.valid = &validator{maxBytes: lim.MaxMeasurementBytes, known: KnownTests(cfg.ExtraTestNames), maxAge: lim.MaxAge, maxFuture: lim.MaxClockSkew, now: s.now}
	s.recent = newRecentUIDs(max(cfg.Spool.DedupeWindow, 1))
	if cfg.Spool.DedupeWindow == 0 {
		s.recent = newRecentUIDs(200_000)
	}
	s.perProbe = newLimiter(cfg.RateLimit.PerProbe.or(50, 2000), s.now)
	s.perIP = newLimiter(cfg.RateLimit.PerIP.or(100, 4000), s.now)
	s.registerPerIP = newLimiter(cfg.RateLimit.RegisterPerIP.or(0.1, 10), s.now)
	s.failedAuth = newLimiter(cfg.Auth.FailedAuthPerIP.or(1, 20), s.now)
	rand.Read(s.ipSalt[:])
	s.proxies = parsePrefixes(cfg.Auth.TrustedProxies)
	s.uploads = make(chan struct{}, lim.MaxConcurrentUploads)
	s.inflight = newBudget(lim.MaxInflightBytes)
	s.handler = s.routes()
	s.startLoader()
	return s, nil
}

// startLoader runs, in one goroutine owned by the Service, the
// connection to ClickHouse (retried until it works) and then the loader.
func (s *Service) startLoader() {
	ctx, cancel := context.WithCancel(context.Background())
	s.loadCancel, s.loadDone, s.finishing = cancel, make(chan struct{}), make(chan struct{})
	conn, err := warehouse.Open(s.cfg.ClickHouse)
	if err != nil { // only an invalid config, which Validate caught
		panic(err)
	}
	lc := s.cfg.Loader
	s.loader = loader.New(s.spool, warehouse.NewWriter(conn), loader.Config{
		BatchSize: lc.BatchSize, BatchBytes: lc.BatchBytes, RetryMax: lc.RetryMax, Analyze: s.deps.Analyze, AnalyzeWithSteps: s.deps.AnalyzeWithSteps,
		Logger: s.log, Now: s.now,
	})
	go func() {
		defer close(s.loadDone)
		defer conn.Close()
		backoff := time.Second
		for {
			sctx, scancel := context.WithTimeout(ctx, time.Minute)
			err := warehouse.CreateDatabase(sctx, s.cfg.ClickHouse)
			if err == nil {
				_, err = warehouse.Migrate(sctx, conn)
			}
			scancel()
			if err == nil {
				break
			}
			s.log.Warn("ClickHouse is not ready; uploads go to the spool meanwhile", "err", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-s.finishing: // shutting down before ClickHouse ever came: the spool keeps it all
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 30*time.Second)
		}
		s.log.Info("ClickHouse schema ready; loading measurements")
		s.loader.Run(ctx)
	}()
}

// Handler is the collector's HTTP API.
func (s *Service) Handler() http.Handler { return s.handler }

// Close flushes the loader (until the spool is empty or ctx ends, when
// what is left stays in the spool for the next start) and closes
// everything. Call it after the HTTP server stopped.
func (s *Service) Close(ctx context.Context) error {
	var err error
	s.closeOnce.Do(func() {
		s.loader.Finish()
		close(s.finishing)
		select {
		case <-s.loadDone:
		case <-ctx.Done():
			s.log.Warn("shutdown: the loader did not finish in time; the rest stays in the spool for the next start")
		}
		s.loadCancel()
		<-s.loadDone
		err = errors.Join(s.spool.Close(), s.tokens.close(), s.geo.Close())
	})
	return err
}
