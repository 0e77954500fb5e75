package measurement

import (
	"strings"
	"testing"
)

func TestHTMLTitle(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"plain", "<html><head><title>Example Domain</title></head>", "Example Domain"},
		{"case", "<TITLE>Upper</Title>", "Upper"},
		{"entities kept", "<title>Free &amp; Borrowable</title>", "Free &amp; Borrowable"},
		{"first wins", "<title>one</title><title>two</title>", "one"},
		{"none", "<html><body>no title</body></html>", ""},
		{"empty", "<title></title>", ""},
		{"attribute not matched", `<title lang="en">x</title>`, ""},
		{"too long", "<title>" + strings.Repeat("a", 513) + "</title>", ""},
		{"longest", "<title>" + strings.Repeat("a", 512) + "</title>", strings.Repeat("a", 512)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := HTMLTitle([]byte(c.body)); got != c.want {
				t.Fatalf("HTMLTitle(%q) = %q, want %q", c.body, got, c.want)
			}
		})
	}
}
