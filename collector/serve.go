package collector

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// Serve serves the API on ln (with TLS when configured) and the admin API
// on admin.listen when set, until ctx is done; then it shuts down
// gracefully: it stops accepting, lets requests in flight finish, and
// flushes the loader (see Close).
func (s *Service) Serve(ctx context.Context, ln net.Listener) error {
	tlsConf, err := s.tlsConfig()
	if err != nil {
		s.Close(context.Background())
		return err
	}
	servers := []*http.Server{s.httpServer(s.handler, tlsConf)}
	listeners := []net.Listener{ln}
	if s.cfg.Admin.Listen != "" {
		aln, err := net.Listen("tcp", s.cfg.Admin.Listen)
		if err != nil {
			s.Close(context.Background())
			return fmt.Errorf("admin.listen: %w", err)
		}
		// The admin API has TLS with certificate files; with autocert
		// (no certificate for a loopback address) it is plain HTTP: keep
		// it on loopback.
		var adminTLS *tls.Config
		if s.cfg.TLS.CertFile != "" {
			adminTLS = tlsConf
		}
		servers = append(servers, s.httpServer(s.AdminHandler(), adminTLS))
		listeners = append(listeners, aln)
		s.log.Info("admin API listening", "addr", aln.Addr().String(), "tls", adminTLS != nil)
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() {
			if srv.TLSConfig != nil {
				errc <- srv.ServeTLS(listeners[i], "", "")
			} else {
				errc <- srv.Serve(listeners[i])
			}
		}()
	}
	var serveErr error
	received := 0
	select {
	case serveErr = <-errc:
		received++
	case <-ctx.Done():
	}
	timeout := s.cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil && serveErr == nil {
			serveErr = err
		}
	}
	for range len(servers) - received {
		<-errc
	}
	if cerr := s.Close(sctx); serveErr == nil {
		serveErr = cerr
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

func (s *Service) httpServer(h http.Handler, tlsConf *tls.Config) *http.Server {
	lim := s.cfg.limits()
	return &http.Server{
		Handler:           h,
		TLSConfig:         tlsConf,
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
}

// tlsConfig is the HTTPS configuration: the certificate files, or an ACME
// manager for autocert_domains; nil for plain HTTP.
func (s *Service) tlsConfig() (*tls.Config, error) {
	t := s.cfg.TLS
	switch {
	case t.CertFile != "":
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}, nil
	case len(t.AutocertDomains) > 0:
		m, err := s.autocertManager()
		if err != nil {
			return nil, err
		}
		conf := m.TLSConfig()
		conf.MinVersion = tls.VersionTLS12
		return conf, nil
	}
	return nil, nil
}

// autocertManager gets and renews certificates for autocert_domains,
// answering the ACME server's TLS-ALPN-01 challenge on the API's own
// listener (which must therefore be port 443, reachable from the
// Internet), and keeps them in the cache directory (mode 0700).
func (s *Service) autocertManager() (*autocert.Manager, error) {
	t := s.cfg.TLS
	dir := t.AutocertCacheDir
	if dir == "" {
		dir = filepath.Join(s.cfg.dataDir(), "autocert")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tls.autocert_cache_dir: %w", err)
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(t.AutocertDomains...),
		Cache:      autocert.DirCache(dir),
		Email:      t.AutocertEmail,
	}
	if t.AutocertDirectoryURL != "" {
		m.Client = &acme.Client{DirectoryURL: t.AutocertDirectoryURL}
	}
	return m, nil
}
