package netx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/failure"
)

const (
	// maxUDPMessage is the read buffer of a UDP resolver: a larger
	// datagram is cut and fails to parse.
	maxUDPMessage = 4096
	// maxDoHMessage bounds a DNS over HTTPS answer (a DNS message is at
	// most 65535 bytes).
	maxDoHMessage = 65535
	// maxLateReplies bounds the late answers kept per query.
	maxLateReplies = 16
)

// errWrongID is a stream reply to another query.
var errWrongID = errors.New("netx: DNS reply with the wrong query id")

// ParseReply parses raw as the reply to q: it must be a response with q's
// id and question. ok is false for anything else (garbage, another query's
// answer), which a UDP client ignores.
func ParseReply(q *dns.Msg, raw []byte) (reply *dns.Msg, ok bool) {
	reply = new(dns.Msg)
	if reply.Unpack(raw) != nil || !reply.Response || reply.Id != q.Id {
		return nil, false
	}
	if len(reply.Question) != 1 || len(q.Question) != 1 ||
		!strings.EqualFold(reply.Question[0].Name, q.Question[0].Name) ||
		reply.Question[0].Qtype != q.Question[0].Qtype {
		return nil, false
	}
	return reply, true
}

// exchangeUDP sends q and returns the first valid reply; then it keeps
// the socket open for the late-answer window, passing every further
// valid reply to onLate, in a goroutine that n.Close waits for.
func (n *Net) exchangeUDP(ctx context.Context, address string, q *dns.Msg, onLate func(lateReply)) (*dns.Msg, []byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", address)
	if err != nil {
		return nil, nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl) //nolint:errcheck // the context bounds it too
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) }) //nolint:errcheck // unblocks Read
	packed, err := q.Pack()
	if err == nil {
		_, err = conn.Write(packed)
	}
	buf := make([]byte, maxUDPMessage)
	for err == nil {
		var nr int
		if nr, err = conn.Read(buf); err != nil {
			break
		}
		reply, ok := ParseReply(q, buf[:nr])
		if !ok {
			continue
		}
		raw := bytes.Clone(buf[:nr])
		if !stop() || n.cfg.DNSLateWindow < 0 || onLate == nil {
			conn.Close()
			return reply, raw, nil
		}
		conn.SetDeadline(time.Now().Add(n.cfg.DNSLateWindow)) //nolint:errcheck // ends the late window
		n.late.Add(1)
		go n.listenLate(conn, q, buf, onLate)
		return reply, raw, nil
	}
	stop()
	conn.Close()
	return nil, nil, err
}

// listenLate reads further replies to q until the socket's deadline.
func (n *Net) listenLate(conn net.Conn, q *dns.Msg, buf []byte, onLate func(lateReply)) {
	defer n.late.Done()
	defer conn.Close()
	for kept := 0; kept < maxLateReplies; {
		nr, err := conn.Read(buf)
		if err != nil {
			return
		}
		if reply, ok := ParseReply(q, buf[:nr]); ok {
			onLate(lateReply{msg: reply, raw: bytes.Clone(buf[:nr]), at: n.Since(n.now())})
			kept++
		}
	}
}

func (n *Net) exchangeTCP(ctx context.Context, address string, q *dns.Msg, _ func(lateReply)) (*dns.Msg, []byte, error) {
	conn, err := n.DialTCP(ctx, address)
	if err != nil {
		return nil, nil, err
	}
	return exchangeStream(ctx, conn, q)
}

func (n *Net) exchangeDoT(ctx context.Context, address string, q *dns.Msg, _ func(lateReply)) (*dns.Msg, []byte, error) {
	host, port, _ := net.SplitHostPort(address)
	ips, err := n.resolveForResolver(ctx, host)
	if err != nil {
		return nil, nil, err
	}
	conn, err := n.DialTCP(ctx, net.JoinHostPort(ips[0], port))
	if err != nil {
		return nil, nil, err
	}
	tconn, err := n.TLSHandshake(ctx, conn, TLSConfig{ServerName: host})
	if err != nil {
		return nil, nil, err
	}
	return exchangeStream(ctx, tconn, q)
}

// resolveForResolver resolves a DoT or DoH server's name with the system
// resolver (an IP is returned as it is).
func (n *Net) resolveForResolver(ctx context.Context, host string) ([]string, error) {
	return (&systemResolver{n: n}).LookupHost(ctx, host)
}

// exchangeStream sends q over a stream (RFC 1035 §4.2.2: a two-byte
// length before each message) and reads one reply, bounded by its length
// prefix. It closes conn.
func exchangeStream(ctx context.Context, conn net.Conn, q *dns.Msg) (*dns.Msg, []byte, error) {
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl) //nolint:errcheck // the context bounds it too
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) }) //nolint:errcheck // unblocks I/O
	defer stop()
	packed, err := q.Pack()
	if err != nil {
		return nil, nil, err
	}
	msg := binary.BigEndian.AppendUint16(nil, uint16(len(packed)))
	if _, err := conn.Write(append(msg, packed...)); err != nil {
		return nil, nil, err
	}
	var hdr [2]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return nil, nil, err
	}
	raw := make([]byte, binary.BigEndian.Uint16(hdr[:]))
	if _, err := io.ReadFull(conn, raw); err != nil {
		return nil, nil, err
	}
	reply, ok := ParseReply(q, raw)
	if !ok {
		return nil, nil, failure.New(failure.DNSReplyWithWrongID, failure.OpResolve, errWrongID)
	}
	return reply, raw, nil
}

// exchangeDoH posts q to the DoH URL (RFC 8484) on a connection of its
// own, resolving the server's name with the system resolver.
func (n *Net) exchangeDoH(ctx context.Context, address string, q *dns.Msg, _ func(lateReply)) (*dns.Msg, []byte, error) {
	packed, err := q.Pack()
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, address, bytes.NewReader(packed))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/dns-message")
	req.Header.Set("Accept", "application/dns-message")
	hc, err := n.openHTTPConn(ctx, req.URL, target{resolver: &systemResolver{n: n}})
	if err != nil {
		return nil, nil, err
	}
	defer hc.close()
	resp, err := hc.rt.RoundTrip(req)
	if err != nil {
		return nil, nil, failure.New(failure.Classify(err), failure.OpHTTPRoundTrip, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxDoHMessage+1))
	if err != nil {
		return nil, nil, failure.New(failure.Classify(err), failure.OpRead, err)
	}
	if resp.StatusCode != http.StatusOK || len(raw) > maxDoHMessage {
		return nil, nil, failure.New(failure.DNSServerMisbehaving, failure.OpResolve,
			errors.New("netx: DNS over HTTPS answered "+resp.Status))
	}
	reply, ok := ParseReply(q, raw)
	if !ok {
		return nil, nil, failure.New(failure.DNSServerMisbehaving, failure.OpResolve, errors.New("netx: DNS over HTTPS sent no valid reply"))
	}
	return reply, raw, nil
}
