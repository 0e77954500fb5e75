package collector

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Report ids in OONI's layout,
//
//	20240101T000000Z_webconnectivity_IT_30722_n1_<6 random><10 tag>
//
// carry their own proof of origin: the last ten characters are an HMAC of
// the rest under the collector's report key. Reports are not stored, so
// any collector holding the same key (behind a load balancer) accepts
// submissions to a report another one opened, and nobody can make up a
// report id this collector will take: a submission to one it did not
// issue gets 404, whatever its shape.

const reportAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

var issuedReportID = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z_[a-z0-9]{1,64}_[A-Z]{2}_[0-9]{1,10}_n1_[A-Za-z0-9]{16}$`)

// reportKeys signs and checks report ids.
type reportKeys struct{ key []byte }

// loadReportKey reads the key (64 hex digits) from path, or creates one
// there (mode 0600) when the file does not exist.
func loadReportKey(path string) (*reportKeys, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		rand.Read(key)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("report key: %w", err)
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return nil, fmt.Errorf("report key: %w", err)
		}
		return &reportKeys{key: key}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("report key %s: want at least 32 hex digits", path)
	}
	return &reportKeys{key: key}, nil
}

// tag is the ten characters that sign prefix.
func (k *reportKeys) tag(prefix string) string {
	mac := hmac.New(sha256.New, k.key)
	mac.Write([]byte(prefix))
	sum := mac.Sum(nil)
	var t [10]byte
	for i := range t {
		t[i] = reportAlphabet[int(sum[i])%len(reportAlphabet)]
	}
	return string(t[:])
}

// issue makes a report id; stamp is the time as OONI writes it
// (20240101T000000Z).
func (k *reportKeys) issue(stamp, testName, cc, asn string) string {
	var b [6]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = reportAlphabet[int(b[i])%len(reportAlphabet)]
	}
	prefix := stamp + "_" + strings.ReplaceAll(testName, "_", "") + "_" + cc + "_" + strings.TrimPrefix(asn, "AS") + "_n1_" + string(b[:])
	return prefix + k.tag(prefix)
}

// issued reports whether id is a report id made by issue with this key.
func (k *reportKeys) issued(id string) bool {
	if !issuedReportID.MatchString(id) {
		return false
	}
	prefix, tag := id[:len(id)-10], id[len(id)-10:]
	return hmac.Equal([]byte(k.tag(prefix)), []byte(tag))
}
