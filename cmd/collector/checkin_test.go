package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/sonde-project/sonde/collector/collectortest"
	"github.com/sonde-project/sonde/collector/geoip/geoiptest"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// TestCheckInFromTestLists runs the binary with an mmdb that places the
// probe in Iran and the Citizen Lab lists: check-in hands out Iranian and
// global targets and the configured control helper.
func TestCheckInFromTestLists(t *testing.T) {
	addr, db := chtest.Database(t)
	geo := geoiptest.Write(t, geoiptest.Network{CIDR: "127.0.0.0/8", CC: "IR", ASN: 197207, Org: "Mobile Communication Company of Iran PLC"})
	lists := filepath.Join(collectortest.Root(), "testlists", "testdata", "lists")
	listen := freeAddr(t)
	extra := fmt.Sprintf("geoip: {country_db: %q, asn_db: %q}\ncheck_in: {test_lists: %q, max_targets: 30}\ncontrol_helper: {url: \"https://th.example.org\"}\n", geo, geo, lists)
	p := startProc(t, writeConfig(t, t.TempDir(), listen, addr, db, extra), listen)
	defer p.stop(t)

	body, _ := json.Marshal(probeapi.CheckInRequest{SoftwareName: "sonde", SoftwareVersion: "test"})
	resp, err := http.Post(p.url+probeapi.PathCheckIn, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ci probeapi.CheckInResponse
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&ci) != nil {
		t.Fatalf("check-in: %d", resp.StatusCode)
	}
	if ci.ProbeCC != "IR" || ci.ProbeASN != "AS197207" {
		t.Errorf("located at %s %s, want IR AS197207", ci.ProbeCC, ci.ProbeASN)
	}
	urls := ci.Tests["web_connectivity"].URLs
	countries := map[string]int{}
	for _, u := range urls {
		countries[u.CountryCode]++
	}
	if len(urls) == 0 || len(urls) > 30 || countries["IR"] == 0 {
		t.Errorf("%d targets by list %v: want at most 30, some from the Iranian list", len(urls), countries)
	}
	if h := ci.Conf.TestHelpers["web-connectivity"]; len(h) != 1 || h[0].Address != "https://th.example.org" {
		t.Errorf("control helper: %+v", ci.Conf.TestHelpers)
	}
}
