package collector_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/collector"
)

func TestConfigExampleIsValidAndDocumentsEveryOption(t *testing.T) {
	cfg, err := collector.LoadConfig("collector.example.yml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Limits.MaxMeasurementBytes != 4<<20 || cfg.ClickHouse.Database != "sonde" {
		t.Errorf("example decoded as %+v", cfg)
	}
	example, _ := os.ReadFile("collector.example.yml")
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			key := f.Tag.Get("yaml")
			if key == "" {
				continue
			}
			if !strings.Contains(string(example), key+":") {
				t.Errorf("option %s%s is not in collector.example.yml", prefix, key)
			}
			if f.Type.Kind() == reflect.Struct && f.Type.String() != "time.Time" {
				walk(prefix+key+".", f.Type)
			}
		}
	}
	walk("", reflect.TypeFor[collector.Config]())
}

func TestConfigZeroValueIsValid(t *testing.T) {
	if err := (collector.Config{}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidConfigs(t *testing.T) {
	for file, want := range map[string][]string{
		"invalid-unknown-key.yml":   {"field clickhose not found"},
		"invalid-duration.yml":      {"cannot unmarshal", "soon", "time.Duration"},
		"invalid-two-documents.yml": {"more than one YAML document"},
		"invalid-security.yml": {
			"tls.autocert_domains: give certificate files or autocert_domains, not both",
			`tls.autocert_domains: "not a name" is not a DNS name`,
			"admin.listen: the admin API needs an address to listen on",
			"auth.metrics_token_sha256: give 64 hex digits",
			`cors.allow_origins: "javascript:alert(1)" is not * or an origin`,
		},
		"invalid-values.yml": {
			"tls: give both cert_file and key_file, or neither",
			`check_in.tests: unknown test "warp_drive"`,
			`auth.trusted_proxies: "10.0.0.1/99" is not a CIDR`,
			"control_helper.step_timeout: 2h0m0s: give a duration up to 1m",
			`control_helper.dns_servers: "8.8.8.8" is not an ip:port address`,
		},
	} {
		t.Run(file, func(t *testing.T) {
			_, err := collector.LoadConfig("testdata/" + file)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
