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
// registration.
type tokenStore struct {
	mu     sync.RWMutex
	path   string
	byHash map[string]string // hex sha256 → probe id
	f      *os.File
}

type tokenLine struct {
	ProbeID string `json:"probe_id"`
	SHA256  string `json:"sha256"`
	Created string `json:"created"`
}

func openTokenStore(path string) (*tokenStore, error) {
	s := &tokenStore{path: path, byHash: map[string]string{}}
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		line := 0
		for sc.Scan() {
			line++
			var tl tokenLine
			if err := json.Unmarshal(sc.Bytes(), &tl); err != nil || len(tl.SHA256) != 64 {
				// A torn last line after a crash: that registration was never answered.
				continue
			}
			s.byHash[tl.SHA256] = tl.ProbeID
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

func (s *tokenStore) close() error { return s.f.Close() }

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}
