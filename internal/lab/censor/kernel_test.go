package censor

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/lab/netns"
	"github.com/sonde-project/sonde/internal/lab/scenario"
)

func TestRulesetShape(t *testing.T) {
	s, err := scenario.LoadShipped("mixed")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	rs := p.Ruleset("probe0")
	for _, want := range []string{
		`iifname "probe0" ip daddr != 198.51.100.53 udp dport 53 dnat to 198.51.100.53`, // hijack
		`ip daddr { 203.0.113.17/32 } drop`,                                             // telegram.org blackholed
		`ip saddr { 203.0.113.17/32 } drop`,
		`ip daddr { 203.0.113.13/32 } udp dport { 443 } drop`, // signal.org QUIC
		`@throttle0 meta priority set 1:10`,                   // youtube by SNI
	} {
		if !strings.Contains(rs, want) {
			t.Errorf("ruleset lacks %q:\n%s", want, rs)
		}
	}
	if tc := p.TC("probe0"); len(tc) != 3 || !strings.Contains(strings.Join(tc[2], " "), "rate 256kbit") {
		t.Errorf("tc commands %v", tc)
	}
}

// TestKernelAcceptsEveryShippedScenario loads each shipped scenario's
// ruleset and tc tree into a scratch namespace: what the censor will ask
// of the kernel, the kernel accepts.
func TestKernelAcceptsEveryShippedScenario(t *testing.T) {
	if err := netns.Check(); err != nil {
		if testing.Short() {
			t.Skipf("-short: %v", err)
		}
		t.Fatalf("needs root, ip, nft and tc (go test -short skips this): %v", err)
	}
	ns := "sondetest-censor-kernel"
	_ = exec.Command("ip", "netns", "delete", ns).Run()
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("%s %v", out, err)
	}
	defer exec.Command("ip", "netns", "delete", ns).Run()
	if out, err := exec.Command("ip", "-n", ns, "link", "add", "probe0", "type", "veth", "peer", "name", "x0").CombinedOutput(); err != nil {
		t.Fatalf("%s %v", out, err)
	}
	for _, name := range scenario.Shipped() {
		t.Run(name, func(t *testing.T) {
			s, err := scenario.LoadShipped(name)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Compile(s)
			if err != nil {
				t.Fatal(err)
			}
			_ = exec.Command("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", "probe0", "root").Run()
			if err := inNamespace(ns, func(ctx context.Context) error { return applyKernel(ctx, p, "probe0") }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// inNamespace runs applyKernel's commands inside ns by putting ip netns
// exec in front of them.
func inNamespace(ns string, f func(context.Context) error) error {
	old := commandPrefix
	commandPrefix = []string{"ip", "netns", "exec", ns}
	defer func() { commandPrefix = old }()
	return f(context.Background())
}
