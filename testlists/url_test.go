package testlists

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Quirks of the real lists.
		{"http://Ghana-net.com/", "http://ghana-net.com/"},                        // gh.csv
		{"http://www.muslim-refusenik.com./", "http://www.muslim-refusenik.com/"}, // mr.csv
		{"https://www.raya.com:443/portal/", "https://www.raya.com/portal/"},      // sd.csv
		{"http://derwaza.cc:8080/WebPortal/UI/Home.aspx", "http://derwaza.cc:8080/WebPortal/UI/Home.aspx"},
		{"https://groups.google.com/forum/#!forum/soc.culture.indonesia", "https://groups.google.com/forum/"},
		{"https://www.dw.com/ru/беларусь/s-9500", "https://www.dw.com/ru/%D0%B1%D0%B5%D0%BB%D0%B0%D1%80%D1%83%D1%81%D1%8C/s-9500"},
		{"https://medium.com/democratize-m%c3%adDia/", "https://medium.com/democratize-m%C3%ADDia/"},
		{"https://1.1.1.1/dns-query?dns=q80BAAAB", "https://1.1.1.1/dns-query?dns=q80BAAAB"},
		// Canonical forms.
		{"HTTPS://EXAMPLE.org", "https://example.org/"},
		{"http://example.org:80/a", "http://example.org/a"},
		{"https://example.org:80/a", "https://example.org:80/a"},
		{"http://example.org/%7euser/%2fx", "http://example.org/~user/%2Fx"},
		{"http://президент.рф/", "http://xn--d1abbgf6aiiy.xn--p1ai/"},
		{"http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/"},
		{"http://example.org/?", "http://example.org/"},
		{"http://example.org/?q=a%20b&x=%7e", "http://example.org/?q=a%20b&x=~"},
	} {
		got, err := Normalize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if again, _ := Normalize(got); again != got {
			t.Errorf("Normalize is not idempotent on %q: %q", got, again)
		}
	}
}

func TestNormalizeRejects(t *testing.T) {
	for _, in := range []string{
		"", "example.org", "//example.org/", "mailto:a@example.org", "http://", "http:///path",
		"http://user:pw@example.org/", "http://localhost/", "http://a..b/", "http://[1.2.3.4]/",
		"http://example.org:99999/", "http://exa\tmple.org/", `http://example.org\x`,
	} {
		if got, err := Normalize(in); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", in, got)
		}
	}
}
