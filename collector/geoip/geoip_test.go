package geoip_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/sonde-project/sonde/collector/geoip"
	"github.com/sonde-project/sonde/collector/geoip/geoiptest"
)

func TestLookup(t *testing.T) {
	path := geoiptest.Write(t,
		geoiptest.Network{CIDR: "127.0.0.0/8", CC: "IT", ASN: 30722, Org: "Vodafone Italia S.p.A."},
		geoiptest.Network{CIDR: "2001:db8::/32", CC: "DE", ASN: 3320, Org: "Deutsche Telekom AG"},
	)
	db, err := geoip.Open(path, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for ip, want := range map[string]geoip.Location{
		"127.0.0.9":        {CC: "IT", ASN: 30722, NetworkName: "Vodafone Italia S.p.A."},
		"::ffff:127.0.0.1": {CC: "IT", ASN: 30722, NetworkName: "Vodafone Italia S.p.A."},
		"2001:db8::5":      {CC: "DE", ASN: 3320, NetworkName: "Deutsche Telekom AG"},
		"192.0.2.1":        {CC: "ZZ"},
		"2001:db9::1":      {CC: "ZZ"},
	} {
		if got := db.Lookup(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Lookup(%s) = %+v, want %+v", ip, got, want)
		}
	}
	var none *geoip.DB
	if got := none.Lookup(netip.MustParseAddr("127.0.0.1")); got.CC != "ZZ" || got.ASNString() != "AS0" {
		t.Errorf("nil DB: %+v", got)
	}
}

func TestOpenMissingFile(t *testing.T) {
	if _, err := geoip.Open("/nonexistent/geo.mmdb", ""); err == nil {
		t.Fatal("opening a missing file succeeded")
	}
}

func ExampleDB_Lookup() {
	db, err := geoip.Open("", "") // no databases: everything is unknown
	if err != nil {
		panic(err)
	}
	loc := db.Lookup(netip.MustParseAddr("192.0.2.1"))
	fmt.Println(loc.CC, loc.ASNString())
	// Output: ZZ AS0
}
