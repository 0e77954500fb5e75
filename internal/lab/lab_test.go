package lab

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/lab/netns"
	"github.com/sonde-project/sonde/internal/lab/scenario"
)

func TestMain(m *testing.M) {
	Child()
	if os.Getenv(testUpEnv) != "" {
		os.Exit(testUp())
	}
	code := m.Run()
	if shared.lab != nil {
		shared.lab.Close()
	}
	os.Exit(code)
}

// techniques is a scenario with one site per technique, so that one lab
// serves every technique test of this binary.
const techniques = `
name: techniques
description: one site per technique, for the lab's own tests
country: ZZ
rules:
  - {action: dns-inject, domains: [twitter.com]}
  - {action: dns-hijack, domains: [www.instagram.com]}
  - {action: rst, sni: [www.wikipedia.org]}
  - {action: rst, hosts: [www.hrw.org]}
  - {action: blockpage, hosts: [www.bbc.com]}
  - {action: blackhole, domains: [telegram.org]}
  - {action: quic-block, domains: [signal.org]}
  - {action: throttle, sni: [www.youtube.com], rate: 2mbit}
  - {action: throttle, domains: [news.ycombinator.com], rate: 2mbit}
targets:
  - url: https://example.org/
    expect: {blocking: false, confidence: ok}
`

var shared struct {
	once sync.Once
	lab  *Lab
	err  error
}

func needRoot(t *testing.T) {
	t.Helper()
	if err := netns.Check(); err != nil {
		if testing.Short() {
			t.Skipf("-short: %v", err)
		}
		t.Fatalf("the lab needs root, ip, nft and tc (go test -short skips this test): %v", err)
	}
}

// sharedLab returns the lab every technique test of this binary shares.
func sharedLab(t *testing.T) *Lab {
	t.Helper()
	needRoot(t)
	shared.once.Do(func() {
		s, err := scenario.Parse([]byte(techniques), false)
		if err != nil {
			shared.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		shared.lab, shared.err = Start(ctx, Config{Scenario: s})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.lab
}

// privateLab starts a lab of the mixed scenario for one test that closes
// it itself (the shared lab must outlive the tests); cleanup closes it too.
func privateLab(t *testing.T) *Lab {
	t.Helper()
	needRoot(t)
	s, err := scenario.LoadShipped("mixed")
	if err != nil {
		t.Fatal(err)
	}
	l, err := Start(ctxT(t, time.Minute), Config{Scenario: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// testUpEnv makes the test binary start a lab, print its ID and wait to
// be killed: the crashed run of TestCrashedRunIsSwept.
const testUpEnv = "SONDE_LAB_TEST_UP"

func testUp() int {
	s, err := scenario.LoadShipped("mixed")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	l, err := Start(context.Background(), Config{Scenario: s})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(l.ID)
	select {}
}
