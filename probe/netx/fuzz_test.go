package netx

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/miekg/dns"
)

// FuzzTitle: any body gives a valid UTF-8 title within the bound.
func FuzzTitle(f *testing.F) {
	f.Add([]byte("<html><title>Hello</title>"))
	f.Add([]byte("<TITLE\n>\xff\xfe&amp;</title>"))
	f.Add([]byte("<title>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		got := Title(body)
		if !utf8.ValidString(got) || len(got) > maxTitle {
			t.Fatalf("Title = %q", got)
		}
	})
}

// FuzzParseReply: whatever a resolver sends back, parsing and converting
// it never panics, and what is accepted answers the query.
func FuzzParseReply(f *testing.F) {
	q := NewQuery("example.org", dns.TypeA)
	for _, rr := range []string{"example.org. 60 IN A 192.0.2.1", "example.org. 60 IN HTTPS 1 . alpn=h2 ipv6hint=2001:db8::1"} {
		m := new(dns.Msg)
		m.SetReply(q)
		r, _ := dns.NewRR(rr)
		m.Answer = append(m.Answer, r)
		packed, _ := m.Pack()
		f.Add(packed)
	}
	f.Add([]byte{0, 1, 0x81, 0x80})
	f.Fuzz(func(t *testing.T, raw []byte) {
		// Whatever id the input has, also try it as the reply to a query
		// with that id, so the fuzzer reaches Answers.
		if len(raw) >= 2 {
			q.Id = uint16(raw[0])<<8 | uint16(raw[1])
		}
		reply, ok := ParseReply(q, raw)
		if !ok {
			return
		}
		if reply.Id != q.Id || !reply.Response {
			t.Fatalf("accepted a reply to another query: %v", reply)
		}
		for _, a := range Answers(reply) {
			if a.AnswerType == "" || a.TTL == nil {
				t.Fatalf("answer without type or TTL: %+v", a)
			}
		}
		replyFailure(reply, dns.TypeA)
	})
}

func TestDecodeOptions(t *testing.T) {
	var o struct {
		SNI     string `option:"sni"`
		Control string `option:"control_sni"`
		Other   int
	}
	if err := DecodeOptions(map[string]string{"sni": "a.example", "control_sni": "b.example"}, &o); err != nil || o.SNI != "a.example" || o.Control != "b.example" {
		t.Fatalf("%+v %v", o, err)
	}
	err := DecodeOptions(map[string]string{"snii": "x"}, &o)
	if err == nil || err.Error() != "unknown option snii (this test knows: control_sni, sni)" {
		t.Fatalf("got %v", err)
	}
	var none struct{}
	if err := DecodeOptions(map[string]string{"x": "1"}, &none); err == nil || !strings.Contains(err.Error(), "takes no options") {
		t.Fatalf("got %v", err)
	}
}
