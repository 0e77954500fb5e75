package main

import (
	"net/netip"
	"os"
	"testing"
	"time"
)

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gateTick paces a polling loop.
func gateTick() <-chan time.Time { return time.After(5 * time.Millisecond) }
