//go:build !linux

package wctest

import (
	"syscall"
	"testing"
)

// DropFrom needs Linux socket filters; elsewhere the black-hole scenario
// is skipped.
func DropFrom(t testing.TB, src string) func(network, address string, c syscall.RawConn) error {
	return nil
}

// CanBlackhole: the black-hole censor does not work here.
const CanBlackhole = false
