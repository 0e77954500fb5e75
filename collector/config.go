package collector

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sonde-project/sonde/internal/warehouse"
)

// Config is the collector's configuration file (YAML). The zero value
// works: a plain-HTTP collector on :8080 that keeps its spool under
// ./sonde-collector-data and loads into a local ClickHouse. Every option
// is documented in collector.example.yml.
type Config struct {
	// Listen is the address to serve on. OPTIONAL: ":8080".
	Listen string `yaml:"listen"`
	// PublicURL is how probes reach this collector
	// ("https://collector.example.org"); used in check-in answers.
	// OPTIONAL.
	PublicURL string `yaml:"public_url"`
	// TLS serves HTTPS with a certificate from files. OPTIONAL.
	TLS TLSConfig `yaml:"tls"`
	// DataDir holds the spool and the probe tokens' hashes. OPTIONAL:
	// "sonde-collector-data".
	DataDir string `yaml:"data_dir"`
	// ClickHouse is where measurements go. OPTIONAL: 127.0.0.1:9000,
	// database "sonde".
	ClickHouse warehouse.Config `yaml:"clickhouse"`
	// GeoIP names the mmdb files for check-in. OPTIONAL: without them
	// every probe is ZZ / AS0 unless it says otherwise.
	GeoIP GeoIPConfig `yaml:"geoip"`
	// Auth says who may upload. OPTIONAL.
	Auth AuthConfig `yaml:"auth"`
	// Limits bound requests and measurements. OPTIONAL.
	Limits LimitsConfig `yaml:"limits"`
	// RateLimit bounds each probe and each address. OPTIONAL.
	RateLimit RateLimitConfig `yaml:"rate_limit"`
	// Spool tunes the on-disk queue. OPTIONAL.
	Spool SpoolConfig `yaml:"spool"`
	// Loader tunes the ClickHouse loader. OPTIONAL.
	Loader LoaderConfig `yaml:"loader"`
	// CheckIn says what probes are asked to measure. OPTIONAL.
	CheckIn CheckInConfig `yaml:"check_in"`
	// ControlHelper is the web_connectivity control helper handed to
	// probes. OPTIONAL.
	ControlHelper ControlHelperConfig `yaml:"control_helper"`
	// Research is the researcher API (/api/v1/ GET paths) and the live
	// report pages (/reports/).
	Research ResearchConfig `yaml:"research"`
	// ExtraTestNames are accepted besides the built-in list. OPTIONAL.
	ExtraTestNames []string `yaml:"extra_test_names"`
	// ShutdownTimeout bounds the graceful shutdown. OPTIONAL: 30s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// Log sets the log level: debug, info, warn or error. OPTIONAL: info.
	LogLevel string `yaml:"log_level"`
	// Admin is the operator's API on its own listener. OPTIONAL: off.
	Admin AdminConfig `yaml:"admin"`
	// CORS lets web pages elsewhere read the public JSON (GET only).
	// OPTIONAL: any origin.
	CORS CORSConfig `yaml:"cors"`
}

// TLSConfig serves HTTPS with a certificate from files, or one obtained
// from an ACME certificate authority (Let's Encrypt) for the names
// listed. OPTIONAL: plain HTTP.
type TLSConfig struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// AutocertDomains are the names to get certificates for
	// automatically (TLS-ALPN-01: the collector must be reachable from
	// the Internet on port 443, so listen on :443). OPTIONAL.
	AutocertDomains []string `yaml:"autocert_domains"`
	// AutocertCacheDir keeps the account key and certificates.
	// OPTIONAL: data_dir/autocert.
	AutocertCacheDir string `yaml:"autocert_cache_dir"`
	// AutocertEmail is given to the certificate authority for expiry
	// notices. OPTIONAL.
	AutocertEmail string `yaml:"autocert_email"`
	// AutocertDirectoryURL is the ACME directory. OPTIONAL: Let's
	// Encrypt's production directory.
	AutocertDirectoryURL string `yaml:"autocert_directory_url"`
}

// AdminConfig is the operator's API: status, token revocation and,
// optionally, the profiler. It is served on its own listener (keep it on
// loopback or a private network) and needs one token, kept here only as
// its SHA-256.
type AdminConfig struct {
	// Listen is the admin API's address, e.g. "127.0.0.1:8081".
	// OPTIONAL: no admin API.
	Listen string `yaml:"listen"`
	// TokenSHA256 is the hex SHA-256 of the admin token; `collector
	// -hash-token` prints it. REQUIRED with listen.
	TokenSHA256 string `yaml:"token_sha256"`
	// Pprof serves Go's profiler at /debug/pprof/ on the admin listener
	// (behind the token). OPTIONAL: false.
	Pprof bool `yaml:"pprof"`
}

// CORSConfig says which web origins may read the collector's public JSON
// (the GET endpoints) from a browser. Uploads and the admin API never
// answer cross-origin requests.
type CORSConfig struct {
	// AllowOrigins are the origins allowed, or ["*"] for any.
	// OPTIONAL: ["*"] (the data are public).
	AllowOrigins []string `yaml:"allow_origins"`
	// Disable turns CORS off. OPTIONAL: false.
	Disable bool `yaml:"disable"`
}

// GeoIPConfig names the mmdb files.
type GeoIPConfig struct {
	CountryDB string `yaml:"country_db"`
	ASNDB     string `yaml:"asn_db"`
}

// AuthConfig says who may do what.
type AuthConfig struct {
	// AllowAnonymous lets clients without a token check in and upload
	// (OONI's probes send none). OPTIONAL: false.
	AllowAnonymous bool `yaml:"allow_anonymous"`
	// DisableRegistration stops new probes from registering. OPTIONAL:
	// false (registration open).
	DisableRegistration bool `yaml:"disable_registration"`
	// MetricsToken, when set, is required as "Authorization: Bearer …"
	// on /metrics. OPTIONAL.
	MetricsToken string `yaml:"metrics_token"`
	// MetricsTokenSHA256 is the same token given as its hex SHA-256, so
	// that the configuration file does not hold it. OPTIONAL.
	MetricsTokenSHA256 string `yaml:"metrics_token_sha256"`
	// FailedAuthPerIP limits requests with a wrong token per client
	// address, against guessing. OPTIONAL: 1/s, burst 20.
	FailedAuthPerIP Rate `yaml:"failed_auth_per_ip"`
	// ReportKeyFile holds the key that signs the report ids this
	// collector hands out (64 hex digits); it is created when missing.
	// Collectors behind one load balancer must share it. OPTIONAL:
	// data_dir/report-id.key.
	ReportKeyFile string `yaml:"report_key_file"`
	// TrustedProxies are the addresses (CIDRs) of reverse proxies whose
	// X-Forwarded-For is believed. OPTIONAL: none.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// LimitsConfig bounds requests.
type LimitsConfig struct {
	// MaxMeasurementBytes is the largest measurement. OPTIONAL: 4 MiB.
	MaxMeasurementBytes int64 `yaml:"max_measurement_bytes"`
	// MaxBatchBytes is the largest batch body. OPTIONAL: 32 MiB.
	MaxBatchBytes int64 `yaml:"max_batch_bytes"`
	// MaxBatchMeasurements is the most measurements per batch. OPTIONAL:
	// 1000.
	MaxBatchMeasurements int `yaml:"max_batch_measurements"`
	// MaxAge rejects measurements that started longer ago. OPTIONAL:
	// 8760h (a year).
	MaxAge time.Duration `yaml:"max_age"`
	// MaxClockSkew rejects measurements that start further in the future.
	// OPTIONAL: 1h.
	MaxClockSkew time.Duration `yaml:"max_clock_skew"`
	// MaxConcurrentUploads bounds uploads being processed at once; more
	// wait up to a second, then get 503. OPTIONAL: 64.
	MaxConcurrentUploads int `yaml:"max_concurrent_uploads"`
	// MaxInflightBytes bounds the request bodies held in memory at once,
	// counted as they arrive; past it uploads wait up to a second, then
	// get 503. OPTIONAL: 512 MiB.
	MaxInflightBytes int64 `yaml:"max_inflight_bytes"`
	// MinBodyRate (bytes per second) and BodyGrace cut off a client that
	// sends its body more slowly than MinBodyRate on average once
	// BodyGrace has passed (408): slowloris. OPTIONAL: 1024, 10s.
	MinBodyRate int64         `yaml:"min_body_rate"`
	BodyGrace   time.Duration `yaml:"body_grace"`
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are
	// http.Server's, against slow clients. OPTIONAL: 10s, 2m, 2m, 2m.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
}

// RateLimitConfig holds the per-probe and per-address limits.
type RateLimitConfig struct {
	// PerProbe limits each token (measurements per second). OPTIONAL:
	// 50/s, burst 2000.
	PerProbe Rate `yaml:"per_probe"`
	// PerIP limits each client address (measurements and requests per
	// second; IPv6 by /64). OPTIONAL: 100/s, burst 4000.
	PerIP Rate `yaml:"per_ip"`
	// RegisterPerIP limits registrations per address. OPTIONAL: 0.1/s,
	// burst 10.
	RegisterPerIP Rate `yaml:"register_per_ip"`
}

// Rate is a token bucket: Rate per second, up to Burst at once. A
// negative Rate disables the limit.
type Rate struct {
	Rate  float64 `yaml:"rate"`
	Burst int     `yaml:"burst"`
}

// SpoolConfig tunes the spool.
type SpoolConfig struct {
	// MaxBytes refuses uploads (507) when this much waits for
	// ClickHouse. OPTIONAL: 0, only the disk bounds it.
	MaxBytes int64 `yaml:"max_bytes"`
	// SegmentBytes is the size of one spool file. OPTIONAL: 64 MiB.
	SegmentBytes int64 `yaml:"segment_bytes"`
	// DedupeWindow is how many recent measurement uids are remembered
	// to answer re-uploads as duplicates without spooling them again.
	// OPTIONAL: 200000. (The loader stores every uid once regardless.)
	DedupeWindow int `yaml:"dedupe_window"`
}

// LoaderConfig tunes the loader.
type LoaderConfig struct {
	// BatchSize is the most measurements per ClickHouse batch. OPTIONAL:
	// 5000.
	BatchSize int `yaml:"batch_size"`
	// BatchBytes bounds a batch's JSON, and with it the loader's memory
	// (about eight times this at the peak). OPTIONAL: 32 MiB.
	BatchBytes int64 `yaml:"batch_bytes"`
	// RetryMax is the longest wait between attempts while ClickHouse is
	// down. OPTIONAL: 30s.
	RetryMax time.Duration `yaml:"retry_max"`
}

// CheckInConfig says what to hand out at check-in.
type CheckInConfig struct {
	// Tests are the tests probes are asked to run. OPTIONAL:
	// [web_connectivity].
	Tests []string `yaml:"tests"`
	// MaxTargets bounds the targets per test. OPTIONAL: 100.
	MaxTargets int `yaml:"max_targets"`
	// TestLists is a folder of Citizen Lab test lists (a checkout of
	// citizenlab/test-lists, or its lists/ folder) that the binary hands
	// targets from. OPTIONAL: without it check-ins carry no targets.
	TestLists string `yaml:"test_lists"`
}

// ResearchConfig configures the researcher API and the report pages.
type ResearchConfig struct {
	// Serve turns them on. OPTIONAL: false.
	Serve bool `yaml:"serve"`
	// QueryTime bounds each query, on ClickHouse and here. OPTIONAL: 20s.
	QueryTime time.Duration `yaml:"query_time"`
	// MaxExportDays bounds the period of one bulk export. OPTIONAL: 31.
	MaxExportDays int `yaml:"max_export_days"`
}

// ControlHelperConfig says where the control helper is.
type ControlHelperConfig struct {
	// URL is the helper's address handed to probes. OPTIONAL: PublicURL +
	// Path when the helper is mounted here, otherwise none.
	URL string `yaml:"url"`
	// Path is where this collector serves the helper, when the binary
	// has one. OPTIONAL: "/api/v1/control".
	Path string `yaml:"path"`
	// Serve makes this collector serve the control helper itself (also at
	// "/" for POST, where OONI's probes expect it). OPTIONAL: false.
	Serve bool `yaml:"serve"`
	// AllowPrefixes are address ranges the helper may connect to although
	// they are not public (the censorship lab's documentation ranges).
	// Never set this on a public collector. OPTIONAL: none.
	AllowPrefixes []string `yaml:"allow_prefixes"`
	// DNSServers are the resolvers the helper uses ("ip:port").
	// OPTIONAL: those of /etc/resolv.conf.
	DNSServers []string `yaml:"dns_servers"`
	// MaxConcurrency bounds the control requests measured at once; more
	// get 503 with Retry-After. OPTIONAL: 32.
	MaxConcurrency int `yaml:"max_concurrency"`
	// StepTimeout bounds each TCP connect, TLS handshake and QUIC
	// handshake the helper makes. OPTIONAL: 10s.
	StepTimeout time.Duration `yaml:"step_timeout"`
}

// LoadConfig reads a configuration file, strictly: unknown keys, wrong
// types and invalid values are errors that name the key.
func LoadConfig(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	cfg, err := DecodeConfig(io.LimitReader(f, 1<<20))
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// DecodeConfig decodes and validates a configuration.
func DecodeConfig(r io.Reader) (Config, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(body))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra any
	if dec.Decode(&extra) == nil {
		return Config{}, errors.New("more than one YAML document; put everything in one")
	}
	return cfg, cfg.Validate()
}

func (c Config) listen() string { return cmp.Or(c.Listen, ":8080") }

func (c Config) limits() LimitsConfig {
	l := c.Limits
	l.MaxMeasurementBytes = cmp.Or(l.MaxMeasurementBytes, 4<<20)
	l.MaxBatchBytes = cmp.Or(l.MaxBatchBytes, 32<<20)
	l.MaxBatchMeasurements = cmp.Or(l.MaxBatchMeasurements, 1000)
	l.MaxAge = cmp.Or(l.MaxAge, 365*24*time.Hour)
	l.MaxClockSkew = cmp.Or(l.MaxClockSkew, time.Hour)
	l.MaxConcurrentUploads = cmp.Or(l.MaxConcurrentUploads, 64)
	l.MaxInflightBytes = cmp.Or(l.MaxInflightBytes, 512<<20)
	l.MinBodyRate = cmp.Or(l.MinBodyRate, 1024)
	l.BodyGrace = cmp.Or(l.BodyGrace, 10*time.Second)
	l.ReadHeaderTimeout = cmp.Or(l.ReadHeaderTimeout, 10*time.Second)
	l.ReadTimeout = cmp.Or(l.ReadTimeout, 2*time.Minute)
	l.WriteTimeout = cmp.Or(l.WriteTimeout, 2*time.Minute)
	l.IdleTimeout = cmp.Or(l.IdleTimeout, 2*time.Minute)
	return l
}

func (r Rate) or(rate float64, burst int) Rate {
	if r.Rate == 0 {
		r.Rate = rate
	}
	if r.Burst == 0 {
		r.Burst = burst
	}
	return r
}

func (c Config) dataDir() string { return cmp.Or(c.DataDir, "sonde-collector-data") }

func (c Config) checkInTests() []string {
	if len(c.CheckIn.Tests) == 0 {
		return []string{"web_connectivity"}
	}
	return c.CheckIn.Tests
}

func (c Config) controlHelperPath() string { return cmp.Or(c.ControlHelper.Path, "/api/v1/control") }
