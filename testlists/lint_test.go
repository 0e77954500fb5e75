package testlists

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestLintFindsTheQuirksOfTheRealLists: every warning here points at a
// real row of upstream's lists.
func TestLintFindsTheQuirksOfTheRealLists(t *testing.T) {
	set, _ := LoadDir(excerpts)
	var got []string
	for _, p := range Lint(set) {
		if p.Severity != Warning {
			t.Errorf("lint reported an error: %v", p)
		}
		got = append(got, strings.TrimPrefix(p.Error(), excerpts+"/"))
	}
	want := []string{
		`cis.csv: warning: "cis" is not a two-letter country code: check-in never hands out this list`,
		`id.csv:14: warning: https://groups.google.com/forum/#!topic/soc.culture.indonesia/OfUVc6hGzUc/ makes the same request as https://groups.google.com/forum/#!forum/soc.culture.indonesia on line 12 (the part after # is not sent to the server)`,
		`kw.csv:14: warning: http://twitter.com/#!/ghonim makes the same request as http://twitter.com/#!/gamaleid on line 13`,
		`pk.csv:3: warning: the host "www.Vtunnel.info" has upper-case letters (fix: write it in lower case, www.vtunnel.info, so duplicates are found)`,
		`pk.csv:44: warning: http://www.kproxy.com./ makes the same request as http://www.kproxy.com/ on line 43 (a trailing dot`,
		`rs.csv: warning: RS is not in 00-LEGEND-country_codes.csv (fix: add a row RS,<country name> to the legend)`,
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		if !found {
			t.Errorf("missing warning %s", w)
		}
	}
	if len(got) != 16 { // the above plus 10 more upper-case hosts in pk.csv
		t.Errorf("%d warnings, want 16:\n%s", len(got), strings.Join(got, "\n"))
	}
}

func TestStatsCountPerCountryAndCategory(t *testing.T) {
	set, _ := LoadDir(excerpts)
	st := ComputeStats(set)
	if st.URLs != 426 || len(st.Lists) != 13 {
		t.Fatalf("stats: %d URLs in %d lists", st.URLs, len(st.Lists))
	}
	var ir, cis ListStats
	for _, l := range st.Lists {
		switch l.Name {
		case "ir":
			ir = l
		case "cis":
			cis = l
		}
	}
	if ir.Country != "Islamic Republic of Iran" || !ir.Served || ir.URLs != 60 || ir.CheckIn != 163 || ir.Oldest != "2014-04-15" {
		t.Errorf("ir: %+v", ir)
	}
	sum := 0
	for _, n := range ir.ByCategory {
		sum += n
	}
	if sum != 60 {
		t.Errorf("ir categories add up to %d", sum)
	}
	if cis.Served || cis.CheckIn != 0 {
		t.Errorf("cis: %+v", cis)
	}
	total := 0
	for _, c := range st.Categories {
		total += c.URLs
		if c.Code == "NEWS" && (c.Description != "News Media" || c.Lists == 0) {
			t.Errorf("NEWS: %+v", c)
		}
	}
	if total != 426 || len(st.Categories) != 31 {
		t.Errorf("categories: %d URLs in %d categories", total, len(st.Categories))
	}
}

// TestCheckDomainsAgainstARealDNSServer serves a zone on loopback: one
// name exists, one does not, one never answers.
func TestCheckDomainsAgainstARealDNSServer(t *testing.T) {
	var queries atomic.Int32
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, r *dns.Msg) {
		queries.Add(1)
		m := new(dns.Msg)
		m.SetReply(r)
		switch r.Question[0].Name {
		case "alive.example.":
			if r.Question[0].Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: "alive.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A: net.IPv4(192, 0, 2, 1)})
			}
		case "slow.example.":
			return // no answer: the lookup times out
		default:
			m.Rcode = dns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: mux}
	go func() { _ = srv.ActivateAndServe() }()
	defer srv.Shutdown()
	res := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}

	dir := t.TempDir()
	for name, rows := range map[string]string{
		"global": "https://alive.example/,NEWS,News Media,2020-01-01,t,\nhttps://gone.example/,NEWS,News Media,2020-01-01,t,\n",
		"ir":     "https://slow.example/,NEWS,News Media,2020-01-01,t,\nhttps://gone.example/a,NEWS,News Media,2020-01-01,t,\nhttp://192.0.2.7/,NEWS,News Media,2020-01-01,t,\n",
	} {
		writeList(t, dir, name, rows)
	}
	set, ps := LoadDir(dir)
	if len(Errors(ps)) > 0 {
		t.Fatal(ps)
	}
	got := CheckDomains(context.Background(), set, DomainCheck{Resolver: res, Timeout: 300 * time.Millisecond, Concurrency: 2})
	var msgs []string
	for _, p := range got {
		msgs = append(msgs, strings.TrimPrefix(p.Error(), dir+"/"))
	}
	want := []string{
		"global.csv:3: warning: the domain gone.example does not exist (NXDOMAIN): the site may be gone (fix: check from an uncensored network; remove the row or update the URL)",
		"ir.csv:3: warning: the domain gone.example does not exist (NXDOMAIN): the site may be gone (fix: check from an uncensored network; remove the row or update the URL)",
		dir + ": warning: 1 of 3 domains could not be checked (timeouts or resolver failures) (fix: run again later, or with a longer --timeout)",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	if queries.Load() == 0 {
		t.Error("the DNS server saw no query")
	}
}

func writeList(t *testing.T, dir, name, rows string) {
	t.Helper()
	path := dir + "/" + name + ".csv"
	if err := writeFile(path, strings.Join(Header, ",")+"\n"+rows); err != nil {
		t.Fatal(err)
	}
}
