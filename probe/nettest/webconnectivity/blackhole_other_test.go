//go:build !linux

package webconnectivity_test

import (
	"syscall"
	"testing"
)

// dropFrom needs Linux socket filters; elsewhere the black-hole scenario
// is skipped.
func dropFrom(t testing.TB, src string) func(network, address string, c syscall.RawConn) error {
	return nil
}

const canBlackhole = false
