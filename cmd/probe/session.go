package main

import (
	"cmp"
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/version"
	"github.com/sonde-project/sonde/probe/collectorclient"
	"github.com/sonde-project/sonde/probe/config"
	"github.com/sonde-project/sonde/probe/runner"
	"github.com/sonde-project/sonde/probe/targets"
	"github.com/sonde-project/sonde/probe/upload"
)

// session is a run's link to its collector.
type session struct {
	client   *collectorclient.Client // check-in and reports
	uploads  *collectorclient.Client // uploads (the check-in may name another collector)
	checkIn  *probeapi.CheckInResponse
	queue    *upload.Queue
	opened   []string // report ids this run opened, to close
	proxied  bool
	backoff  upload.Backoff
	uploaded upload.Stats
	// clockOffset is the collector's clock minus this computer's, as the
	// check-in showed it; clockErr says why it is unknown.
	clockOffset time.Duration
	clockErr    error
}

// connect returns a client for the collector in the flags or the config,
// registered (the token is saved in the config).
func (a *app) connect(ctx context.Context, flagURL, proxyURL string, cf *config.File, dir string, roots *x509.CertPool) (*collectorclient.Client, error) {
	url := flagURL
	if url == "" {
		url = cf.Collector
	}
	if url == "" {
		return nil, usagef("no collector to upload to: give --collector URL, or --no-upload to keep the results on this computer")
	}
	if err := collectorclient.CheckServiceURL(url); err != nil {
		return nil, usagef("--collector: %v", err)
	}
	if proxyURL == "" {
		proxyURL = cf.Proxy
	}
	h, err := collectorclient.NewHTTPClient(proxyURL, roots)
	if err != nil {
		return nil, usagef("%v", err)
	}
	c := &collectorclient.Client{BaseURL: url, HTTP: h}
	if cf.Token != "" && cf.Collector == url {
		c.Token = cf.Token
		return c, nil
	}
	reg, err := c.Register(ctx, probeapi.RegisterRequest{SoftwareName: version.Name, SoftwareVersion: version.String(), Platform: runtime.GOOS})
	if err != nil {
		return nil, fmt.Errorf("registering with the collector %s: %w", url, err)
	}
	cf.Collector, cf.Token, cf.ProbeID = url, reg.Token, reg.ProbeID
	if err := cf.Save(dir); err != nil {
		return nil, err
	}
	c.Token = reg.Token
	return c, nil
}

// startSession connects, checks in, opens the reports and the queue.
func (a *app) startSession(ctx context.Context, o *runOptions, cf *config.File, dir string, roots *x509.CertPool, optOut []string) (*session, error) {
	c, err := a.connect(ctx, o.collector, o.proxy, cf, dir, roots)
	if err != nil {
		return nil, err
	}
	s := &session{client: c, uploads: c, proxied: o.proxy != "" || cf.Proxy != "", backoff: a.backoff}
	sent := a.now()
	s.checkIn, err = c.CheckIn(ctx, probeapi.CheckInRequest{
		SoftwareName: version.Name, SoftwareVersion: version.String(), Platform: runtime.GOOS,
		ProbeCC: o.probeCC, ProbeASN: o.probeASN, RunType: "manual", CategoriesOptOut: optOut,
	})
	if err != nil {
		return nil, fmt.Errorf("check-in with the collector: %w", err)
	}
	s.clockOffset, s.clockErr = collectorclient.ClockOffset(s.checkIn.UTCTime, sent, a.now())
	if other := s.checkIn.Conf.Collector; other != "" && other != c.BaseURL {
		up := *c
		up.BaseURL = other
		s.uploads = &up
	}
	if s.queue, err = upload.Open(filepath.Join(dir, "queue")); err != nil {
		return nil, err
	}
	return s, nil
}

// apply fills the run's configuration from the check-in: location,
// control helper, report ids and, when no target was given, the
// collector's targets.
func (s *session) apply(cfg *runner.Config, o *runOptions, optOut []string, dropped *int) {
	ci := s.checkIn
	env := &cfg.Envelope
	if env.ProbeCC == "" {
		env.ProbeCC = ci.ProbeCC
	}
	if env.ProbeASN == "" {
		env.ProbeASN = ci.ProbeASN
	}
	if env.ProbeNetworkName == "" {
		env.ProbeNetworkName = ci.ProbeNetworkName
	}
	if cfg.Env.ControlURL == "" {
		for _, h := range ci.Conf.TestHelpers["web-connectivity"] {
			cfg.Env.ControlURL = h.Address
			break
		}
	}
	env.ReportIDs = map[string]string{}
	for _, name := range o.tests.values {
		if id := ci.Tests[name].ReportID; id != "" {
			env.ReportIDs[name] = id
		}
	}
	if len(cfg.Targets) > 0 {
		return
	}
	// The collector's targets: those of the chosen tests, else all.
	var list []probeapi.CheckInTarget
	for _, name := range o.tests.values {
		list = append(list, ci.Tests[name].URLs...)
	}
	if len(list) == 0 {
		names := make([]string, 0, len(ci.Tests))
		for n := range ci.Tests {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			list = append(list, ci.Tests[n].URLs...)
		}
	}
	var ts []targets.Target
	for _, u := range list {
		ts = append(ts, targets.Target{Input: u.URL, Category: u.CategoryCode})
	}
	ts, n := targets.OptOut(targets.Dedupe(ts), optOut)
	cfg.Targets, *dropped = ts, *dropped+n
}

// openReports opens a report for each test the check-in gave none.
func (s *session) openReports(ctx context.Context, cfg *runner.Config, start time.Time) error {
	for _, m := range cfg.Tests {
		if cfg.Envelope.ReportIDs[m.Name()] != "" {
			continue
		}
		id, err := s.client.OpenReport(ctx, probeapi.OpenReportRequest{
			DataFormatVersion: measurement.DataFormatVersion, ProbeASN: cmp.Or(cfg.Envelope.ProbeASN, runner.UnknownASN),
			ProbeCC: cmp.Or(cfg.Envelope.ProbeCC, runner.UnknownCC), SoftwareName: version.Name,
			SoftwareVersion: version.String(), TestName: m.Name(), TestVersion: m.Version(),
			TestStartTime: measurement.FormatTime(start),
		})
		if err != nil {
			return fmt.Errorf("opening a report for %s: %w", m.Name(), err)
		}
		cfg.Envelope.ReportIDs[m.Name()] = id
		s.opened = append(s.opened, id)
	}
	return nil
}

// uploader returns an Uploader of the session's queue.
func (s *session) uploader(log *slog.Logger) *upload.Uploader {
	return &upload.Uploader{Queue: s.queue, Collector: s.uploads, Logger: log, Backoff: s.backoff}
}

// follow queues each measurement once written and uploads in the
// background while the run goes on. The returned function stops the
// uploads after the request in flight (bounded by the client's timeout;
// abort, the second Ctrl-C, cuts it) and waits for them.
func (s *session) follow(abort context.Context, log *slog.Logger, cfg *runner.Config) (stop func()) {
	wake := make(chan struct{}, 1)
	cfg.Written = func(line []byte) error {
		if _, err := s.queue.Add(line); err != nil {
			return err
		}
		select {
		case wake <- struct{}{}:
		default:
		}
		return nil
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.uploaded = s.uploader(log).Follow(abort, wake, done)
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// closeReports closes the reports this run opened; failures only delay
// the collector's own expiry of the reports.
func (s *session) closeReports(ctx context.Context, limit time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for _, id := range s.opened {
		_ = s.client.CloseReport(ctx, id)
	}
}
