// Package geoip finds the country and network (ASN) of an IP address in
// MaxMind DB (mmdb) files: MaxMind's GeoIP2/GeoLite2 Country, City and
// ASN databases, DB-IP's lite databases, or any mmdb with the same keys
// (country.iso_code, autonomous_system_number,
// autonomous_system_organization). One file may hold both.
//
// Files are read with github.com/oschwald/maxminddb-golang, memory-mapped,
// and looked up without locks.
package geoip

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Unknown values, as OONI writes them.
const (
	UnknownCC = "ZZ"
	// UnknownASN is AS0.
	UnknownASN = 0
)

// Location is what is known about an address.
type Location struct {
	CC          string // ISO 3166-1 alpha-2, or ZZ
	ASN         uint32 // 0 when unknown
	NetworkName string // the ASN's organization, or ""
}

// ASNString is the ASN as OONI writes it: "AS12345".
func (l Location) ASNString() string { return fmt.Sprintf("AS%d", l.ASN) }

// DB looks addresses up. A nil *DB knows nothing: every lookup is ZZ, AS0.
type DB struct {
	country, asn *maxminddb.Reader
}

// Open opens the country and ASN databases; either path may be "" (and
// both may be the same file).
func Open(countryPath, asnPath string) (*DB, error) {
	db := &DB{}
	var err error
	if countryPath != "" {
		if db.country, err = maxminddb.Open(countryPath); err != nil {
			return nil, fmt.Errorf("geoip: opening the country database %s: %w", countryPath, err)
		}
	}
	if asnPath != "" {
		if db.asn, err = maxminddb.Open(asnPath); err != nil {
			db.Close()
			return nil, fmt.Errorf("geoip: opening the ASN database %s: %w", asnPath, err)
		}
	}
	return db, nil
}

// Close releases the files.
func (db *DB) Close() error {
	if db == nil {
		return nil
	}
	var errs []error
	for _, r := range []*maxminddb.Reader{db.country, db.asn} {
		if r != nil {
			errs = append(errs, r.Close())
		}
	}
	return errors.Join(errs...)
}

type record struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	ASN uint32 `maxminddb:"autonomous_system_number"`
	Org string `maxminddb:"autonomous_system_organization"`
}

// Lookup returns what the databases say about ip. Addresses they do not
// know, and lookup errors, give ZZ and AS0.
func (db *DB) Lookup(ip netip.Addr) Location {
	loc := Location{CC: UnknownCC}
	if db == nil || !ip.IsValid() {
		return loc
	}
	ip = ip.Unmap()
	var rec record
	if db.country != nil && db.country.Lookup(ip).Decode(&rec) == nil && len(rec.Country.ISOCode) == 2 {
		loc.CC = rec.Country.ISOCode
	}
	rec = record{}
	if db.asn != nil && db.asn.Lookup(ip).Decode(&rec) == nil {
		loc.ASN, loc.NetworkName = rec.ASN, rec.Org
	}
	return loc
}
