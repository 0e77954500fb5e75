package targettest

import (
	"crypto/tls"
	"io"
	"net/http"

	"github.com/miekg/dns"
)

// NewDoTServer starts a DNS over TLS server (RFC 7858) with cert. Its
// Addr is "127.0.0.1:PORT" (TCP); Queries counts its queries.
func NewDoTServer(tb T, behave DNSBehavior, cert tls.Certificate) *DNSServer {
	tb.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		tb.Fatalf("targettest: DoT server: %v", err)
	}
	s := &DNSServer{Addr: ln.Addr().String(), behave: behave, done: make(chan struct{})}
	s.tcp = &dns.Server{Listener: ln, Net: "tcp-tls", Handler: dns.HandlerFunc(s.serveTCP)}
	started := make(chan struct{})
	s.tcp.NotifyStartedFunc = func() { close(started) }
	go s.tcp.ActivateAndServe() //nolint:errcheck // ends at Shutdown
	<-started
	tb.Cleanup(s.Close)
	return s
}

// DoHHandler answers DNS over HTTPS POSTs (RFC 8484, application/dns-message)
// as behave says (the last reply, as over TCP; none: 502). Serve it with
// NewHTTPSServer.
func DoHHandler(behave DNSBehavior) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 65535))
		q := new(dns.Msg)
		if r.Method != http.MethodPost || err != nil || q.Unpack(raw) != nil {
			http.Error(w, "want a POSTed DNS query", http.StatusBadRequest)
			return
		}
		replies := behave(q)
		if len(replies) == 0 {
			http.Error(w, "no answer", http.StatusBadGateway)
			return
		}
		packed, err := replies[len(replies)-1].Msg.Pack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/dns-message")
		w.Write(packed) //nolint:errcheck // the client may be gone
	})
}
