package netx

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// DialTCP connects to address ("IP:port") and records a tcp_connect entry
// and a "connect" network event. The connection records its reads and
// writes as network events. A network failure is returned as a
// *failure.Error; an address that is not IP:port is an ordinary error.
func (n *Net) DialTCP(ctx context.Context, address string) (net.Conn, error) {
	ip, port, err := splitIPPort(address)
	if err != nil {
		return nil, err
	}
	id := n.newID()
	tags := tagsOf(ctx)
	ctx, cancel := n.stepContext(ctx)
	defer cancel()
	t0 := n.now()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", address)
	t := n.now()
	f := failure.Classify(err)
	n.record(func(s *measurement.Steps) {
		s.TCPConnect = append(s.TCPConnect, measurement.TCPConnect{
			IP: ip, Port: port, Status: measurement.TCPConnectStatus{Failure: failure.Ptr(f), Success: err == nil},
			T0: n.Since(t0), T: n.Since(t), Tags: tags, TransactionID: id,
		})
	})
	n.event(measurement.NetworkEvent{Address: address, Failure: failure.Ptr(f), Operation: "connect", Proto: "tcp",
		T0: n.Since(t0), T: n.Since(t), Tags: tags, TransactionID: id})
	if err != nil {
		n.log.Debug("connect failed", "address", address, "failure", f)
		return nil, failure.New(f, failure.OpConnect, err)
	}
	return &tracedConn{Conn: conn, n: n, id: id, addr: address, proto: "tcp", tags: tags}, nil
}

// splitIPPort checks that address is "IP:port".
func splitIPPort(address string) (ip string, port int, err error) {
	host, p, err := net.SplitHostPort(address)
	if err != nil {
		return "", 0, fmt.Errorf("netx: address %q: %w", address, err)
	}
	if net.ParseIP(host) == nil {
		return "", 0, fmt.Errorf("netx: address %q: want an IP address, not a name (resolve it first)", address)
	}
	port, err = strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("netx: address %q: bad port", address)
	}
	return host, port, nil
}

// tracedConn records reads and writes as network events.
type tracedConn struct {
	net.Conn
	n     *Net
	id    int64
	addr  string
	proto string
	tags  []string
}

func (c *tracedConn) Read(b []byte) (int, error) {
	t0 := c.n.now()
	nr, err := c.Conn.Read(b)
	c.io("read", t0, nr, err)
	return nr, err
}

func (c *tracedConn) Write(b []byte) (int, error) {
	t0 := c.n.now()
	nw, err := c.Conn.Write(b)
	c.io("write", t0, nw, err)
	return nw, err
}

func (c *tracedConn) io(op string, t0 time.Time, nbytes int, err error) {
	c.n.event(measurement.NetworkEvent{Address: c.addr, Failure: failure.Ptr(failure.Classify(err)), NumBytes: int64(nbytes),
		Operation: op, Proto: c.proto, T0: c.n.Since(t0), T: c.n.Since(c.n.now()), Tags: c.tags, TransactionID: c.id})
}

// transactionID returns the id of the flow a connection belongs to, or a
// new one.
func (n *Net) transactionID(conn net.Conn) int64 {
	if tc, ok := conn.(*tracedConn); ok {
		return tc.id
	}
	return n.newID()
}
