package webconnectivity_test

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
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity"
)

// world is one scenario's Internet on loopback: a CA, the real DNS
// answers, a control helper that resolves with them and connects from
// controlIP, and the probe's environment.
type world struct {
	t       testing.TB
	ca      *targettest.CA
	realDNS *targettest.DNSServer
	helper  *httptest.Server
}

// ASNs the helper reports: the sites' network, and the censor's.
const (
	siteASN   = 64500
	censorASN = 64666
	// hijackIP is where a lying resolver sends the probe: the censor's
	// blockpage server, in the censor's network.
	hijackIP = "127.0.0.3"
)

func newWorld(t testing.TB, zone ...string) *world {
	t.Helper()
	w := &world{t: t, ca: targettest.NewCA(t)}
	w.realDNS = targettest.NewDNSServer(t, targettest.Answer(targettest.NewZone(t, zone...)))
	h, err := controlhelper.New(controlhelper.Config{
		AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		DNSServers:    []string{w.realDNS.Addr},
		RootCAs:       w.ca.Pool(),
		SourceAddr:    netip.MustParseAddr(controlIP),
		LookupASN: func(a netip.Addr) (int64, string) {
			if a.String() == hijackIP {
				return censorASN, "Censor"
			}
			return siteASN, "Sites"
		},
		StepTimeout: 2 * time.Second,
		HTTPTimeout: 4 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.helper = httptest.NewServer(h)
	t.Cleanup(w.helper.Close)
	return w
}

// env is the probe's environment: it resolves with resolver (a DNS
// server's address) only, trusts the world's CA and asks its helper.
func (w *world) env(resolver string) *nettest.Env {
	return &nettest.Env{
		Begin:       time.Now(),
		Resolver:    "udp://" + resolver,
		RootCAs:     w.ca.Pool(),
		StepTimeout: time.Second,
		ControlURL:  w.helper.URL + "/",
		Options:     map[string]string{"system_resolver": "false"},
	}
}

// measure runs web_connectivity on url in env.
func (w *world) measure(env *nettest.Env, url string) (*nettest.Result, *webconnectivity.TestKeys) {
	w.t.Helper()
	m := &webconnectivity.Measurer{DNSLateWindow: -1}
	res, err := m.Measure(context.Background(), env, url)
	if err != nil {
		w.t.Fatal(err)
	}
	return res, res.TestKeys.(*webconnectivity.TestKeys)
}

// httpsSite serves Website(title) over HTTPS for names, advertising
// HTTP/3 on h3port when it is not "".
func (w *world) httpsSite(title, h3port string, names ...string) *targettest.WebServer {
	handler := targettest.Website(title)
	if h3port != "" {
		site := handler
		handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Alt-Svc", `h3=":`+h3port+`"; ma=3600`)
			site.ServeHTTP(rw, r)
		})
	}
	return targettest.NewHTTPSServer(w.t, targettest.HTTPSConfig{Certificates: []tls.Certificate{w.ca.Issue(names...)}, Handler: handler})
}

// h3Site serves Website(title) over HTTP/3 on a UDP port of probeIP;
// with dropProbe, datagrams from the probe are dropped (QUIC blocked).
func (w *world) h3Site(title string, dropProbe bool, names ...string) string {
	var lc net.ListenConfig
	if dropProbe {
		lc.Control = dropFrom(w.t, probeIP)
	}
	pc, err := lc.ListenPacket(context.Background(), "udp", probeIP+":0")
	if err != nil {
		w.t.Fatal(err)
	}
	srv := &http3.Server{
		Handler:   targettest.Website(title),
		TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: []tls.Certificate{w.ca.Issue(names...)}}),
	}
	var wg sync.WaitGroup
	wg.Go(func() { srv.Serve(pc) })
	w.t.Cleanup(func() { srv.Close(); pc.Close(); wg.Wait() })
	_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
	return port
}
