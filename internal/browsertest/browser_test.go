package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSeesWhatAReaderSees checks the checker: a page's DOM, a console
// error, a blocked inline style and the requests are all reported.
func TestSeesWhatAReaderSees(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/clean":
			w.Header().Set("Content-Security-Policy", "default-src 'none'")
			fmt.Fprint(w, `<!DOCTYPE html><title>clean</title><h1>Hello</h1><p>`+strings.Repeat("text ", 400)+`</p>`)
		case "/broken":
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'")
			fmt.Fprint(w, `<!DOCTYPE html><title>broken</title><h1 style="color:red">Hi</h1>`+
				`<img src="/missing.png"><script>console.error("boom")</script>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	b := Start(t)

	clean := b.Open(t, srv.URL+"/clean")
	var h1 string
	clean.Eval(t, `document.querySelector("h1").textContent`, &h1)
	if h1 != "Hello" {
		t.Errorf("h1 %q", h1)
	}
	if p := clean.Problems(); len(p) != 0 {
		t.Errorf("clean page has problems: %q", p)
	}
	if r := clean.Requests(); len(r) != 1 || r[0] != srv.URL+"/clean" {
		t.Errorf("clean page requests %q", r)
	}
	clean.Screenshot(t, "browsertest-clean")

	broken := b.Open(t, srv.URL+"/broken")
	problems := strings.Join(broken.Problems(), "\n")
	for _, want := range []string{"console.error: boom", "style", "missing.png"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems do not mention %q:\n%s", want, problems)
		}
	}
}
