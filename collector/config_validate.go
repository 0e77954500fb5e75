package collector

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/sonde-project/sonde/collector/spool"
)

// Validate checks the values; it does not open files or connect.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.listen()); err != nil {
		bad("listen", "%q is not host:port (%v)", c.Listen, err)
	}
	if c.PublicURL != "" && !isHTTPURL(c.PublicURL) {
		bad("public_url", "%q is not an http:// or https:// URL", c.PublicURL)
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		bad("tls", "give both cert_file and key_file, or neither")
	}
	if c.TLS.CertFile != "" && len(c.TLS.AutocertDomains) > 0 {
		bad("tls.autocert_domains", "give certificate files or autocert_domains, not both")
	}
	for _, d := range c.TLS.AutocertDomains {
		if !hostName.MatchString(d) {
			bad("tls.autocert_domains", "%q is not a DNS name like collector.example.org", d)
		}
	}
	if u := c.TLS.AutocertDirectoryURL; u != "" && !isHTTPURL(u) {
		bad("tls.autocert_directory_url", "%q is not an http:// or https:// URL", u)
	}
	if c.Admin.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Admin.Listen); err != nil {
			bad("admin.listen", "%q is not host:port (%v)", c.Admin.Listen, err)
		}
		if !sha256Hex.MatchString(c.Admin.TokenSHA256) {
			bad("admin.token_sha256", "give the SHA-256 of the admin token as 64 hex digits (collector -hash-token prints it)")
		}
	} else if c.Admin.TokenSHA256 != "" || c.Admin.Pprof {
		bad("admin.listen", "the admin API needs an address to listen on")
	}
	if h := c.Auth.MetricsTokenSHA256; h != "" && (!sha256Hex.MatchString(h) || c.Auth.MetricsToken != "") {
		bad("auth.metrics_token_sha256", "give 64 hex digits, and not metrics_token as well")
	}
	for _, o := range c.CORS.AllowOrigins {
		if o != "*" && !isHTTPURL(o) {
			bad("cors.allow_origins", "%q is not * or an origin like https://example.org", o)
		}
	}
	if err := c.ClickHouse.Validate(); err != nil {
		bad("clickhouse.database", "%v", strings.TrimPrefix(err.Error(), "warehouse: "))
	}
	for _, p := range c.Auth.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			bad("auth.trusted_proxies", "%q is not a CIDR like 10.0.0.0/8", p)
		}
	}
	l := c.limits()
	if l.MaxMeasurementBytes > spool.MaxRecord-1024 {
		bad("limits.max_measurement_bytes", "%d is more than the spool takes (%d)", l.MaxMeasurementBytes, spool.MaxRecord-1024)
	}
	if l.MaxInflightBytes < l.MaxBatchBytes {
		bad("limits.max_inflight_bytes", "%d is less than max_batch_bytes (%d)", l.MaxInflightBytes, l.MaxBatchBytes)
	}
	if l.MaxBatchBytes < l.MaxMeasurementBytes {
		bad("limits.max_batch_bytes", "%d is less than max_measurement_bytes (%d)", l.MaxBatchBytes, l.MaxMeasurementBytes)
	}
	for key, v := range map[string]int64{
		"limits.max_measurement_bytes": c.Limits.MaxMeasurementBytes, "limits.max_batch_bytes": c.Limits.MaxBatchBytes,
		"limits.max_batch_measurements": int64(c.Limits.MaxBatchMeasurements), "limits.max_concurrent_uploads": int64(c.Limits.MaxConcurrentUploads),
		"spool.max_bytes": c.Spool.MaxBytes, "spool.segment_bytes": c.Spool.SegmentBytes, "spool.dedupe_window": int64(c.Spool.DedupeWindow),
		"loader.batch_size": int64(c.Loader.BatchSize), "loader.batch_bytes": c.Loader.BatchBytes, "check_in.max_targets": int64(c.CheckIn.MaxTargets),
		"limits.max_age": int64(c.Limits.MaxAge), "limits.max_clock_skew": int64(c.Limits.MaxClockSkew),
		"limits.read_header_timeout": int64(c.Limits.ReadHeaderTimeout), "limits.read_timeout": int64(c.Limits.ReadTimeout),
		"limits.write_timeout": int64(c.Limits.WriteTimeout), "limits.idle_timeout": int64(c.Limits.IdleTimeout),
		"shutdown_timeout": int64(c.ShutdownTimeout), "loader.retry_max": int64(c.Loader.RetryMax),
		"limits.max_inflight_bytes": c.Limits.MaxInflightBytes, "limits.min_body_rate": c.Limits.MinBodyRate,
		"limits.body_grace": int64(c.Limits.BodyGrace),
	} {
		if v < 0 {
			bad(key, "must not be negative")
		}
	}
	for key, r := range map[string]Rate{"rate_limit.per_probe": c.RateLimit.PerProbe, "rate_limit.per_ip": c.RateLimit.PerIP, "rate_limit.register_per_ip": c.RateLimit.RegisterPerIP, "auth.failed_auth_per_ip": c.Auth.FailedAuthPerIP} {
		if r.Burst < 0 {
			bad(key+".burst", "must not be negative")
		}
	}
	known := KnownTests(c.ExtraTestNames)
	for _, name := range c.ExtraTestNames {
		if !testName.MatchString(name) {
			bad("extra_test_names", "%q is not a test name (lower case letters, digits and _)", name)
		}
	}
	for _, name := range c.CheckIn.Tests {
		if !known[name] {
			bad("check_in.tests", "unknown test %q (add it to extra_test_names if it is yours)", name)
		}
	}
	if c.ControlHelper.URL != "" && !isHTTPURL(c.ControlHelper.URL) {
		bad("control_helper.url", "%q is not an http:// or https:// URL", c.ControlHelper.URL)
	}
	if p := c.ControlHelper.Path; p != "" && (!strings.HasPrefix(p, "/") || strings.ContainsAny(p, " {}")) {
		bad("control_helper.path", "%q must be a path starting with /", p)
	}
	for _, p := range c.ControlHelper.AllowPrefixes {
		if _, err := netip.ParsePrefix(p); err != nil {
			bad("control_helper.allow_prefixes", "%q is not an address range like 203.0.113.0/24", p)
		}
	}
	for _, a := range c.ControlHelper.DNSServers {
		if _, err := netip.ParseAddrPort(a); err != nil {
			bad("control_helper.dns_servers", "%q is not an ip:port address", a)
		}
	}
	if c.Research.QueryTime < 0 {
		bad("research.query_time", "must not be negative")
	}
	if c.Research.MaxExportDays < 0 {
		bad("research.max_export_days", "must not be negative")
	}
	if c.ControlHelper.MaxConcurrency < 0 {
		bad("control_helper.max_concurrency", "must not be negative")
	}
	if st := c.ControlHelper.StepTimeout; st < 0 || st > time.Minute {
		bad("control_helper.step_timeout", "%v: give a duration up to 1m", st)
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	return errors.Join(errs...)
}

var (
	hostName  = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
