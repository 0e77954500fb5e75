package wctest

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/quic-go/quic-go/http3"

	"github.com/sonde-project/sonde/internal/controlhelper"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest"
)

// World is one scenario's Internet on loopback: a CA, the real DNS
// answers, and a control helper that resolves with them and connects from
// ControlIP.
type World struct {
	t       testing.TB
	CA      *targettest.CA
	RealDNS *targettest.DNSServer
	Helper  *httptest.Server
}

// NewWorld starts a world whose real DNS answers hold zone (lines such as
// "site.test. 60 IN A 127.0.0.1"). Everything stops at the end of the
// test.
func NewWorld(t testing.TB, zone ...string) *World {
	t.Helper()
	w := &World{t: t, CA: targettest.NewCA(t)}
	w.RealDNS = targettest.NewDNSServer(t, targettest.Answer(targettest.NewZone(t, zone...)))
	h, err := controlhelper.New(controlhelper.Config{
		AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		DNSServers:    []string{w.RealDNS.Addr},
		RootCAs:       w.CA.Pool(),
		SourceAddr:    netip.MustParseAddr(ControlIP),
		LookupASN: func(a netip.Addr) (int64, string) {
			if a.String() == HijackIP {
				return CensorASN, "Censor"
			}
			return SiteASN, "Sites"
		},
		StepTimeout: 2 * time.Second,
		HTTPTimeout: 4 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Helper = httptest.NewServer(h)
	t.Cleanup(w.Helper.Close)
	return w
}

// Env is the probe's environment: it resolves with resolver (a DNS
// server's address) only, trusts the world's CA and asks its helper.
func (w *World) Env(resolver string) *nettest.Env {
	return &nettest.Env{
		Begin:       time.Now(),
		Resolver:    "udp://" + resolver,
		RootCAs:     w.CA.Pool(),
		StepTimeout: time.Second,
		ControlURL:  w.Helper.URL + "/",
		Options:     map[string]string{"system_resolver": "false"},
	}
}

// HTTPSSite serves targettest.Website(title) over HTTPS for names,
// advertising HTTP/3 on h3port when it is not "".
func (w *World) HTTPSSite(title, h3port string, names ...string) *targettest.WebServer {
	handler := targettest.Website(title)
	if h3port != "" {
		site := handler
		handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Alt-Svc", `h3=":`+h3port+`"; ma=3600`)
			site.ServeHTTP(rw, r)
		})
	}
	return targettest.NewHTTPSServer(w.t, targettest.HTTPSConfig{Certificates: []tls.Certificate{w.CA.Issue(names...)}, Handler: handler})
}

// H3Site serves targettest.Website(title) over HTTP/3 on a UDP port of
// SiteIP and returns the port; with dropProbe, datagrams from the probe
// are dropped (QUIC blocked).
func (w *World) H3Site(title string, dropProbe bool, names ...string) string {
	var lc net.ListenConfig
	if dropProbe {
		lc.Control = DropFrom(w.t, ProbeIP)
	}
	pc, err := lc.ListenPacket(context.Background(), "udp", SiteIP+":0")
	if err != nil {
		w.t.Fatal(err)
	}
	srv := &http3.Server{
		Handler:   targettest.Website(title),
		TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: []tls.Certificate{w.CA.Issue(names...)}}),
	}
	var wg sync.WaitGroup
	wg.Go(func() { srv.Serve(pc) })
	w.t.Cleanup(func() { srv.Close(); pc.Close(); wg.Wait() })
	_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
	return port
}

// ClosedPort returns a port of ip where nothing listens.
func ClosedPort(t testing.TB, ip string) string {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}
