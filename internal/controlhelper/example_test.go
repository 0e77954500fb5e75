package controlhelper_test

import (
	"fmt"
	"log"
	"net/http"
	"net/netip"

	"github.com/sonde-project/sonde/internal/controlhelper"
)

// A collector mounts the helper next to its own routes. This one serves a
// lab whose sites live in the documentation ranges.
func ExampleHandler_Mount() {
	h, err := controlhelper.New(controlhelper.Config{
		AllowPrefixes: []netip.Prefix{
			netip.MustParsePrefix("192.0.2.0/24"),
			netip.MustParsePrefix("198.51.100.0/24"),
			netip.MustParsePrefix("203.0.113.0/24"),
		},
		DNSServers:     []string{"203.0.113.53:53"},
		MaxConcurrency: 64,
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux) // POST / (OONI's probes) and POST /api/v1/control
	fmt.Println(controlhelper.PathOONI, controlhelper.PathAPI)
	// Output: / /api/v1/control
}

// ParseRequest checks a request as the handler does, with errors meant for
// the person who wrote the client.
func ExampleParseRequest() {
	_, err := controlhelper.ParseRequest([]byte(`{"http_request":"https://example.org/","tcp_connect":["example.org:443"]}`))
	fmt.Println(err)
	// Output: bad control request: tcp_connect[0] = "example.org:443": want IP:port, e.g. 192.0.2.1:443 or [2001:db8::1]:443
}
