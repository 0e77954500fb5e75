package collector

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// tokenStore keeps probe registrations: for each probe its id and the
// SHA-256 of its token, never the token. Tokens are 256 random bits, so a
// plain hash is as strong as a password hash would be and costs nothing
// per request. The file is append-only JSON lines, fsync'd per
// registration and per revocation: a line with "revoked" takes the
// probe's token away for good.
type tokenStore struct {
	mu      sync.RWMutex
	path    string
	byHash  map[string]string // hex sha256 → probe id
	revoked int
	f       *os.File
}

type tokenLine struct {
	ProbeID string `json:"probe_id"`
	SHA256  string `json:"sha256,omitempty"`
	Created string `json:"created,omitempty"`
	Revoked string `json:"revoked,omitempty"`
}

func openTokenStore(path string) (*tokenStore, error) {
	s := &tokenStore{path: path, byHash: map[string]string{}}
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		line := 0
		for sc.Scan() {
			line++
			var tl tokenLine
			switch err := json.Unmarshal(sc.Bytes(), &tl); {
			case err != nil:
				// A torn last line after a crash: that registration (or
				// revocation) was never answered.
			case tl.Revoked != "":
				s.forget(tl.ProbeID)
			case len(tl.SHA256) == 64:
				s.byHash[tl.SHA256] = tl.ProbeID
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	s.f = f
	return s, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// register creates a probe and returns its id and token.
func (s *tokenStore) register(now time.Time) (probeID, token string, err error) {
	var id [8]byte
	var secret [32]byte
	rand.Read(id[:])
	rand.Read(secret[:])
	probeID = hex.EncodeToString(id[:])
	token = "sonde_" + base64.RawURLEncoding.EncodeToString(secret[:])
	line, _ := json.Marshal(tokenLine{ProbeID: probeID, SHA256: hashToken(token), Created: now.UTC().Format(time.RFC3339)})
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.Write(append(line, '\n')); err != nil {
		return "", "", fmt.Errorf("saving the registration: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return "", "", fmt.Errorf("saving the registration: %w", err)
	}
	s.byHash[hashToken(token)] = probeID
	return probeID, token, nil
}

// probe returns the probe id of a token, or "" when unknown.
func (s *tokenStore) probe(token string) string {
	if token == "" || len(token) > 256 {
		return ""
	}
	h := hashToken(token)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byHash[h]
}

// revoke takes a probe's token away: requests with it get 401 from now
// on, after restarts too. It reports whether the probe had a token.
func (s *tokenStore) revoke(probeID string, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	known := false
	for _, id := range s.byHash {
		if id == probeID {
			known = true
			break
		}
	}
	if !known {
		return false, nil
	}
	line, _ := json.Marshal(tokenLine{ProbeID: probeID, Revoked: now.UTC().Format(time.RFC3339)})
	if _, err := s.f.Write(append(line, '\n')); err != nil {
		return false, fmt.Errorf("saving the revocation: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return false, fmt.Errorf("saving the revocation: %w", err)
	}
	s.forget(probeID)
	return true, nil
}

// forget drops a probe's token hashes; s.mu is held (or s is not shared
// yet).
func (s *tokenStore) forget(probeID string) {
	for h, id := range s.byHash {
		if id == probeID {
			delete(s.byHash, h)
		}
	}
	s.revoked++
}

// counts returns how many probes hold a valid token, and how many
// revocations there were.
func (s *tokenStore) counts() (active, revoked int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byHash), s.revoked
}

func (s *tokenStore) close() error { return s.f.Close() }

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}
