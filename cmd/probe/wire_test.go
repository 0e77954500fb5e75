package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/scrub"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/catalog"
	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity/wctest"
)

// plantedIPv6 is the volunteer's IPv6 address in these tests; the
// collector reports it at check-in, the lookup service the IPv4 one.
const plantedIPv6 = "2001:db8:5:6::50"

// whoami shows the visitor's addresses everywhere a page can: title,
// body, headers, a cookie, a redirect.
func whoami() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/whoami?ip="+plantedIP+"&v6="+plantedIPv6, http.StatusFound)
			return
		}
		w.Header().Set("X-Client-IP", plantedIP)
		w.Header().Set("X-Forwarded-For", plantedIPv6+", "+plantedIP)
		w.Header().Set("Set-Cookie", "seen="+plantedIP+"; Path=/")
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><head><title>Your IP is %s</title></head><body>Your IP address is %s (IPv6 %s, %s).</body></html>",
			plantedIP, plantedIP, plantedIPv6, strings.ToUpper(plantedIPv6))
	})
}

// TestNothingOnTheWireHoldsTheProbesAddress runs the probe with its real
// tests against servers that hand the volunteer's addresses back (in
// pages, headers, redirects and DNS answers) and uploads through a SOCKS5
// proxy to a collector: no byte the probe sent, through the proxy or as
// the collector received it, holds the addresses in any form.
func TestNothingOnTheWireHoldsTheProbesAddress(t *testing.T) {
	web := targettest.NewHTTPServer(t, whoami())
	_, webPort, _ := net.SplitHostPort(web.Addr)
	zone := targettest.NewZone(t, "whoami.example. 60 IN A "+plantedIP, "whoami.example. 60 IN AAAA "+plantedIPv6,
		"whoami.example. 60 IN TXT \"client "+plantedIP+"\"")
	resolver := targettest.NewDNSServer(t, targettest.Answer(zone))
	world := wctest.NewWorld(t, "whoami.test. 60 IN A 127.0.0.1")

	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.CheckIn.ProbeIP = plantedIPv6 })
	proxy := collectortest.NewSOCKS5(t)
	h := newHarness(t, nil)
	for name, e := range catalog.Tests {
		h.app.tests[name] = e
	}
	common := []string{"--collector", srv.URL, "--proxy", proxy.URL(), "--public-ip-url", ipService(t), "--yes", "--quiet",
		"-o", filepath.Join(h.dir, "results.jsonl")}
	runs := [][]string{
		{"-t", "http", "-i", web.URL + "/"},
		{"-t", "dns", "-i", "whoami.example", "-O", "resolver=udp://" + resolver.Addr, "-O", "types=A,AAAA,TXT"},
		{"-t", "web_connectivity", "-i", "http://whoami.test:" + webPort + "/", "--resolver", "udp://" + world.RealDNS.Addr,
			"-O", "system_resolver=false", "--control", world.Helper.URL + "/"},
		{"-t", "echo", "-i", "https://echo.example/"},
	}
	for _, args := range runs {
		if code := h.run(append(append([]string{"run"}, args...), common...)...); code != 0 || !strings.Contains(h.stdout.String(), "Uploaded: 1 new") {
			t.Fatalf("%v: exit %d\n%s%s", args, code, h.stdout.String(), h.stderr.String())
		}
	}

	addrs := []netip.Addr{netip.MustParseAddr(plantedIP), netip.MustParseAddr(plantedIPv6)}
	scrubber := scrub.New(addrs...)
	type sentBytes struct {
		where string
		b     []byte
	}
	var wire []sentBytes
	for _, r := range srv.Recorded() {
		wire = append(wire, sentBytes{"the body of " + r.Method + " " + r.Path + " as the collector received it", r.Body})
		for _, doc := range jsonDocuments(r.Body) {
			if leaks := scrubber.Leaks(doc); leaks != nil {
				t.Errorf("%s %s: the collector received the address at %v", r.Method, r.Path, leaks)
			}
		}
	}
	sent := proxy.Sent()
	for i, b := range sent {
		wire = append(wire, sentBytes{fmt.Sprintf("connection %d through the proxy", i+1), b})
	}
	for _, w := range wire {
		for _, f := range wireForms(addrs) {
			if f.in(w.b) {
				t.Errorf("%s holds %s", w.where, f.what)
			}
		}
		if leaks := scrubber.Leaks(w.b); leaks != nil {
			t.Errorf("%s: %v", w.where, leaks)
		}
	}

	// The test means something: every request went through the proxy,
	// and what the servers planted is there, scrubbed.
	all := bytes.Join(sent, nil)
	if len(srv.Stored()) != 4 || len(srv.Recorded()) == 0 || !bytes.Contains(all, []byte("POST /api/v1/measurements")) {
		t.Fatalf("%d stored, %d requests, %d proxied connections", len(srv.Stored()), len(srv.Recorded()), len(sent))
	}
	for _, want := range []string{"Your IP address is [scrubbed] (IPv6 [scrubbed], [scrubbed])", `"X-Client-Ip":"[scrubbed]"`,
		`"ipv4":"[scrubbed]"`, `"ipv6":"[scrubbed]"`, "<title>Your IP is [scrubbed]</title>"} {
		if !bytes.Contains(all, []byte(want)) && !bytes.Contains(all, []byte(strings.ReplaceAll(want, `"`, `\"`))) {
			t.Errorf("the uploads lack %s: the planted address did not reach the measurements", want)
		}
	}
	// The TXT answer's text sits in the raw DNS message (base64): scrubbed.
	txt := false
	for _, raw := range srv.Stored() {
		m, err := measurement.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		steps, _ := measurement.DecodeSteps(m.TestKeys)
		for _, q := range steps.Queries {
			if q.QueryType == "TXT" && bytes.Contains([]byte(q.RawResponse), []byte("client [")) {
				txt = true
			}
		}
	}
	if !txt {
		t.Error("no scrubbed TXT answer in the uploads: the planted address did not reach the DNS measurement")
	}
}

// jsonDocuments splits a request body into its JSON documents: a batch
// object, JSON lines, or nothing.
func jsonDocuments(body []byte) [][]byte {
	var out [][]byte
	for _, line := range bytes.Split(body, []byte("\n")) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			out = append(out, line)
		}
	}
	return out
}

// form is one way an address can be written.
type form struct {
	what string
	b    []byte
	fold bool // compare ignoring case
}

func (f form) in(b []byte) bool {
	if f.fold {
		return bytes.Contains(bytes.ToLower(b), bytes.ToLower(f.b))
	}
	return bytes.Contains(b, f.b)
}

// wireForms lists every form of addrs to search raw bytes for: the text
// forms (any case; IPv6 compressed, full and unpadded; reverse-DNS
// names), the binary form, and the base64 of the text forms (standard and
// URL alphabets, at each of the three alignments).
func wireForms(addrs []netip.Addr) []form {
	var out []form
	for _, a := range addrs {
		texts := []string{a.String(), reverseName(a)}
		if a.Is6() {
			b := a.As16()
			var full, nopad []string
			for i := 0; i < 16; i += 2 {
				v := binary.BigEndian.Uint16(b[i:])
				full, nopad = append(full, fmt.Sprintf("%04x", v)), append(nopad, fmt.Sprintf("%x", v))
			}
			texts = append(texts, strings.Join(full, ":"), strings.Join(nopad, ":"))
		}
		for _, s := range texts {
			out = append(out, form{what: "the text " + s, b: []byte(s), fold: true})
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
				for k := range 3 {
					out = append(out, form{what: "the base64 of " + s, b: base64Core(enc, []byte(s), k)})
				}
			}
		}
		out = append(out, form{what: "the binary form of " + a.String(), b: a.AsSlice()})
	}
	return out
}

// base64Core is the part of the base64 of b, starting k bytes into a
// 3-byte group, that depends on b alone.
func base64Core(enc *base64.Encoding, b []byte, k int) []byte {
	s := enc.EncodeToString(append(make([]byte, k), b...))
	lo, hi := (8*k+5)/6, (8*(k+len(b)))/6
	return []byte(s[lo:hi])
}

func reverseName(a netip.Addr) string {
	b := a.AsSlice()
	var parts []string
	if a.Is4() {
		for i := 3; i >= 0; i-- {
			parts = append(parts, fmt.Sprint(b[i]))
		}
		return strings.Join(parts, ".") + ".in-addr.arpa"
	}
	for i := 15; i >= 0; i-- {
		parts = append(parts, fmt.Sprintf("%x", b[i]&0xf), fmt.Sprintf("%x", b[i]>>4))
	}
	return strings.Join(parts, ".") + ".ip6.arpa"
}
