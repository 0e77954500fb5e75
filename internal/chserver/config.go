package chserver

import (
	"fmt"
	"os"
	"path/filepath"
	"text/template"
)

// The configuration is the smallest that both 18.16 and current releases
// accept (the <yandex> root is still read by current releases). Only the
// ports named here are opened; no interserver, MySQL or PostgreSQL port.
var configTemplate = template.Must(template.New("config").Parse(`<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>{{.Dir}}/log/server.log</log>
    <errorlog>{{.Dir}}/log/err.log</errorlog>
    <size>10M</size>
    <count>2</count>
  </logger>
  <listen_host>{{.Listen}}</listen_host>
  <tcp_port>{{.TCPPort}}</tcp_port>
  <http_port>{{.HTTPPort}}</http_port>
  <path>{{.Dir}}/data/</path>
  <tmp_path>{{.Dir}}/tmp/</tmp_path>
  <user_files_path>{{.Dir}}/user_files/</user_files_path>
  <format_schema_path>{{.Dir}}/format_schemas/</format_schema_path>
  <users_config>{{.Dir}}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>200</max_concurrent_queries>
  <timezone>UTC</timezone>
</yandex>
`))

var usersTemplate = template.Must(template.New("users").Parse(`<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>::1</ip><ip>127.0.0.0/8</ip><ip>{{.Listen}}</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
{{- range .Users}}
    <{{.Name}}>
      <password_sha256_hex>{{.PasswordSHA256}}</password_sha256_hex>
      <networks><ip>::1</ip><ip>127.0.0.0/8</ip><ip>{{$.Listen}}</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </{{.Name}}>
{{- end}}
  </users>
  <quotas><default></default></quotas>
</yandex>
`))

func (s *Server) writeConfig() error {
	for _, sub := range []string{"log", "data", "tmp", "user_files", "format_schemas"} {
		if err := os.MkdirAll(filepath.Join(s.cfg.Dir, sub), 0o755); err != nil {
			return fmt.Errorf("clickhouse: %w", err)
		}
	}
	for name, tmpl := range map[string]*template.Template{"config.xml": configTemplate, "users.xml": usersTemplate} {
		f, err := os.Create(filepath.Join(s.cfg.Dir, name))
		if err != nil {
			return fmt.Errorf("clickhouse: %w", err)
		}
		err = tmpl.Execute(f, s.cfg)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("clickhouse: writing %s: %w", name, err)
		}
	}
	return nil
}
