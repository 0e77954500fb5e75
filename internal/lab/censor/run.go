package censor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/sonde-project/sonde/internal/lab/scenario"
	"github.com/sonde-project/sonde/internal/lab/sites"
)

// Config is what the censor runs with. It runs inside the censor
// router's namespace.
type Config struct {
	// Scenario is the policy to enforce. REQUIRED.
	Scenario *scenario.Scenario `json:"scenario"`
	// ProbeIf and InetIf are the router's interfaces towards the probe and
	// towards the Internet. OPTIONAL: probe0 and inet0.
	ProbeIf string `json:"probe_if"`
	InetIf  string `json:"inet_if"`
	// InetPeerMAC is the next hop towards the Internet, for resets
	// injected towards servers. REQUIRED.
	InetPeerMAC string `json:"inet_peer_mac"`
	// Trace is a pcap file that receives every injected packet. OPTIONAL.
	Trace string `json:"trace"`
}

// Censor is a running censor.
type Censor struct {
	Engine *Engine
	done   chan struct{}
	err    error
}

// Start applies the scenario to the kernel (nftables, tc), starts the
// censor's resolver and blockpage server and the packet engine, and
// returns once all are in place. Everything stops when ctx ends; Wait
// returns then.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (*Censor, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Scenario == nil {
		return nil, errors.New("censor: no scenario")
	}
	probeIf, inetIf := cmpOr(cfg.ProbeIf, "probe0"), cmpOr(cfg.InetIf, "inet0")
	peer, err := net.ParseMAC(cfg.InetPeerMAC)
	if err != nil {
		return nil, fmt.Errorf("censor: Internet peer MAC: %w", err)
	}
	policy, err := Compile(cfg.Scenario)
	if err != nil {
		return nil, fmt.Errorf("censor: %w", err)
	}
	if err := applyKernel(ctx, policy, probeIf); err != nil {
		return nil, err
	}
	client, err := openPacket(probeIf, true)
	if err != nil {
		return nil, err
	}
	server, err := openPacket(inetIf, false)
	if err != nil {
		client.Close()
		return nil, err
	}
	trace, err := newTracer(cfg.Trace)
	if err != nil {
		client.Close()
		server.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	g := sites.NewGroup(ctx)
	closeAll := func() {
		cancel()
		g.Wait()
		client.Close()
		server.Close()
		trace.Close()
	}
	h := hijacker{blocked: policy.Hijack, blockpage: sites.Blockpage, upstream: upstream()}
	if err := g.DNS(net.JoinHostPort(sites.CensorResolver.String(), "53"), h); err != nil {
		closeAll()
		return nil, err
	}
	page := blockpageHandler(policy.Blockpage)
	cert, key, err := sites.SelfSigned([]string{"blocked.censor.invalid"})
	if err != nil {
		closeAll()
		return nil, err
	}
	tlsCfg, err := tlsConfig(cert, key)
	if err != nil {
		closeAll()
		return nil, err
	}
	bp := sites.Blockpage.String()
	if err := g.HTTP(net.JoinHostPort(bp, "80"), page, nil, 0); err != nil {
		closeAll()
		return nil, err
	}
	if err := g.HTTP(net.JoinHostPort(bp, "443"), page, tlsCfg, 0); err != nil {
		closeAll()
		return nil, err
	}
	e := &Engine{policy: policy, client: client, server: server, serverMAC: peer, log: log, trace: trace}
	var wg sync.WaitGroup
	if hasSNIThrottle(policy) {
		adds := make(chan throttleAdd, 256)
		e.throttle = func(k flowKey, i int) {
			select {
			case adds <- throttleAdd{k, i}:
			default:
				log.Warn("throttle queue full: flow not throttled")
			}
		}
		wg.Add(1)
		go func() { defer wg.Done(); addThrottled(ctx, adds, log) }()
	}
	c := &Censor{Engine: e, done: make(chan struct{})}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := e.Run(ctx); err != nil {
			c.err = err
			cancel()
		}
	}()
	go func() {
		wg.Wait()
		closeAll()
		close(c.done)
	}()
	log.Info("censor ready", "scenario", cfg.Scenario.Name, "rules", len(cfg.Scenario.Rules))
	return c, nil
}

// Wait waits for the censor to stop and returns the engine's error.
func (c *Censor) Wait() error {
	<-c.done
	return c.err
}

func hasSNIThrottle(p *Policy) bool {
	for _, t := range p.Throttles {
		if len(t.sni) > 0 {
			return true
		}
	}
	return false
}

type throttleAdd struct {
	key flowKey
	i   int
}

// addThrottled puts flows into their throttle's nft set, off the packet
// path (an nft call takes milliseconds).
func addThrottled(ctx context.Context, adds <-chan throttleAdd, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-adds:
			elem := fmt.Sprintf("add element ip %s %s { %s }\n", Table, throttleSet(a.i), element(a.key))
			if err := nft(ctx, elem); err != nil {
				log.Warn("throttle flow", "err", err)
			}
		}
	}
}

// applyKernel loads the nft ruleset and the tc tree.
func applyKernel(ctx context.Context, p *Policy, probeIf string) error {
	if err := nft(ctx, fmt.Sprintf("table ip %s\ndelete table ip %s\n%s", Table, Table, p.Ruleset(probeIf))); err != nil {
		return err
	}
	for _, args := range p.TC(probeIf) {
		if err := run(ctx, nil, "tc", args...); err != nil {
			return err
		}
	}
	return nil
}

func nft(ctx context.Context, script string) error {
	return run(ctx, []byte(script), "nft", "-f", "-")
}

// commandPrefix goes before every nft and tc command (tests run them in a
// scratch namespace with "ip netns exec NAME").
var commandPrefix []string

func run(ctx context.Context, stdin []byte, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	argv := append(append(append([]string{}, commandPrefix...), name), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("censor: %s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
