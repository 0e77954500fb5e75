package webconnectivity_test

import (
	"context"
	"testing"

	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity"
)

// The scenario tests run the probe and a real control helper on one
// machine, with real servers and a censor on loopback: see wctest.

// measure runs web_connectivity on url in env.
func measure(t testing.TB, env *nettest.Env, url string) (*nettest.Result, *webconnectivity.TestKeys) {
	t.Helper()
	m := &webconnectivity.Measurer{DNSLateWindow: -1}
	res, err := m.Measure(context.Background(), env, url)
	if err != nil {
		t.Fatal(err)
	}
	return res, res.TestKeys.(*webconnectivity.TestKeys)
}
