package sites

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxDownload bounds /download: enough to measure throttling.
const MaxDownload = 64 << 20

// Handler serves the lab's sites by Host (falling back on the address the
// request came to): "/" is the site's page, "/download?bytes=N" sends N
// bytes (for throughput and throttling measurements). altSvc, when not
// empty, is announced on every response (HTTP/3 discovery).
func Handler(altSvc string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := Lookup(hostOnly(r.Host))
		if !ok {
			if a, err := net.ResolveTCPAddr("tcp", localAddr(r)); err == nil {
				for _, c := range Catalog {
					if net.IP(c.Addr.AsSlice()).Equal(a.IP) {
						s, ok = c, true
					}
				}
			}
		}
		if altSvc != "" {
			w.Header().Set("Alt-Svc", altSvc)
		}
		if !ok {
			http.Error(w, "no such site in the lab: "+r.Host, http.StatusMisdirectedRequest)
			return
		}
		switch r.URL.Path {
		case "/download":
			n, err := strconv.Atoi(r.URL.Query().Get("bytes"))
			if err != nil || n < 0 || n > MaxDownload {
				http.Error(w, fmt.Sprintf("bytes must be 0..%d", MaxDownload), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", strconv.Itoa(n))
			_, _ = io.CopyN(w, zeros{}, int64(n))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Server", "sonde-lab")
			_, _ = io.WriteString(w, s.Page())
		}
	})
}

func localAddr(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return a.String()
	}
	return ""
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// distantListener delays the first write of every connection: the lab's
// servers answer as if they were an ocean away, so that an on-path
// injector answers first, as it does in the field. (netem would do this in
// the kernel, but not every kernel has it.)
type distantListener struct {
	net.Listener
	delay time.Duration
}

func (l distantListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || l.delay <= 0 {
		return c, err
	}
	return &distantConn{Conn: c, delay: l.delay}, nil
}

type distantConn struct {
	net.Conn
	delay time.Duration
	once  sync.Once
}

func (c *distantConn) Write(p []byte) (int, error) {
	c.once.Do(func() { time.Sleep(c.delay) })
	return c.Conn.Write(p)
}
