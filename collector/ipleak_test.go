package collector_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/sys/unix"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/scrub"
)

// probeAddr is the probe's public address in the test: the collector sees
// its uploads come from it.
const probeAddr = "192.0.2.77"

// netns makes a private network namespace holding probeAddr on its
// loopback, for the test's life. It needs root: it fails without (only
// -short skips).
func netns(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs root to make a network namespace; skipped because of -short")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root, to make a network namespace where uploads come from a public address (run as root, or with -short)")
	}
	var b [4]byte
	rand.Read(b[:])
	name := "sonde-ipleak-" + hex.EncodeToString(b[:])
	for _, args := range [][]string{
		{"netns", "add", name},
		{"-n", name, "link", "set", "lo", "up"},
		{"-n", name, "addr", "add", probeAddr + "/32", "dev", "lo"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
		if args[0] == "netns" {
			t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
		}
	}
	return name
}

// inNetns runs fn on a thread moved into the namespace: sockets fn
// creates belong to it. The thread is moved back before it is given back
// to the runtime; it must not end with its goroutine, because a thread's
// exit kills the children it started with Pdeathsig (the tests' private
// ClickHouse server, for one).
func inNetns(name string, fn func()) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer home.Close()
		f, err := os.Open(filepath.Join("/var/run/netns", name))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("setns: %w", err)
			return
		}
		fn()
		if err := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); err != nil {
			// Stuck in the namespace: the thread must die with this
			// goroutine (still locked) rather than serve others.
			errc <- fmt.Errorf("setns back: %w", err)
			return
		}
		runtime.UnlockOSThread()
		errc <- nil
	}()
	return <-errc
}

// leakyMeasurement is a real measurement with the probe's address planted
// where a careless probe would leave it: probe_ip, a body, a header, a
// DNS answer (as text and inside the raw DNS message), a failure string,
// an annotation, a key, and its reverse-DNS name.
func leakyMeasurement(t *testing.T, report string) []byte {
	doc := realMeasurement(t, "http://whoami.example/", time.Now().Add(-time.Minute))
	doc["report_id"] = report
	doc["probe_ip"] = probeAddr
	doc["annotations"].(map[string]any)["network_note"] = "behind " + probeAddr
	msg := new(dns.Msg)
	msg.SetQuestion("whoami.example.", dns.TypeA)
	rr, _ := dns.NewRR("whoami.example. 60 IN A " + probeAddr)
	msg.Answer = append(msg.Answer, rr)
	rawDNS, _ := msg.Pack()
	tk := doc["test_keys"].(map[string]any)
	tk["queries"] = []any{map[string]any{
		"hostname": "whoami.example", "query_type": "A", "engine": "udp", "resolver_address": "8.8.8.8:53",
		"answers":      []any{map[string]any{"answer_type": "A", "ipv4": probeAddr}},
		"raw_response": map[string]any{"format": "base64", "data": rawDNS},
		"failure":      nil, "t": 0.1,
	}}
	tk["requests"] = []any{map[string]any{
		"failure": "unknown_failure: read tcp " + probeAddr + ":51234->93.184.216.34:80: reset",
		"request": map[string]any{"url": "http://whoami.example/", "method": "GET", "headers": map[string]any{"X-Forwarded-For": probeAddr}},
		"response": map[string]any{"code": 200, "body": "<title>whoami</title>Your IP address is " + probeAddr,
			"headers_list": []any{[]any{"X-Client-IP", probeAddr}}},
		"t": 0.2,
	}}
	tk["x_seen_by"] = map[string]any{probeAddr: "77.2.0.192.in-addr.arpa"}
	return mustJSON(doc)
}

// TestProbeAddressNeverReachesClickHouse uploads, from the probe's
// address (a real source address, in a private network namespace),
// measurements carrying that address everywhere, through both upload
// paths, with it in the request headers too. Then every String and
// Array(String) column of every table, the spool and token files and the
// logs are searched for it: in text, reverse-DNS or (inside base64)
// binary form. It must be nowhere.
func TestProbeAddressNeverReachesClickHouse(t *testing.T) {
	ns := netns(t)
	f := start(t, true, nil)
	var ln net.Listener
	var lerr error
	if err := inNetns(ns, func() { ln, lerr = net.Listen("tcp", probeAddr+":0") }); err != nil || lerr != nil {
		t.Fatalf("listen in the namespace: %v %v", err, lerr)
	}
	f.serveOn(t, ln)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (c net.Conn, err error) {
			if nerr := inNetns(ns, func() { c, err = (&net.Dialer{}).DialContext(ctx, network, addr) }); nerr != nil {
				return nil, nerr
			}
			return c, err
		},
	}}
	base := "http://" + ln.Addr().String()
	post := func(path, token, ctype string, body []byte) []byte {
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-Forwarded-For", probeAddr)
		req.Header.Set("User-Agent", "probe at "+probeAddr)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	var reg probeapi.RegisterResponse
	json.Unmarshal(post(probeapi.PathRegister, "", "application/json", []byte(`{}`)), &reg)
	var ci probeapi.CheckInResponse
	json.Unmarshal(post(probeapi.PathCheckIn, reg.Token, "application/json", []byte(`{}`)), &ci)
	if ci.ProbeIP != probeAddr {
		t.Fatalf("the collector saw the probe at %q, want %s: the test does not test what it says", ci.ProbeIP, probeAddr)
	}
	var open probeapi.OpenReportResponse
	json.Unmarshal(post(probeapi.PathOpenReport, reg.Token, "application/json",
		[]byte(`{"format":"json","probe_cc":"IT","probe_asn":"AS30722","test_name":"web_connectivity","software_name":"t","software_version":"1"}`)), &open)
	post(submitPath(open.ReportID), reg.Token, "application/json",
		append(append([]byte(`{"format":"json","content":`), leakyMeasurement(t, open.ReportID)...), '}'))
	batch := leakyMeasurement(t, "20250527T233104Z_webconnectivity_IT_30722_n1_batchbatchbatch1")
	batch = bytes.Replace(batch, []byte("whoami.example/"), []byte("whoami.example/batch"), 1)
	if answer := post(probeapi.PathBatchSubmit, reg.Token, "application/x-ndjson", batch); !bytes.Contains(answer, []byte(`"stored"`)) {
		t.Fatalf("batch: %s", answer)
	}

	waitCount(t, f.conn, "SELECT count() FROM measurements", 2)
	waitCount(t, f.conn, "SELECT count() FROM verdicts", 2)
	forms := []string{probeAddr, "77.2.0.192.in-addr.arpa"}
	searchClickHouse(t, f, forms)
	searchFiles(t, f.dir, forms)
	for _, form := range forms {
		if strings.Contains(f.logs.String(), form) {
			t.Errorf("the logs hold %s", form)
		}
	}
}

// searchClickHouse looks for the forms in every String and Array(String)
// column of every table of the fixture's database, and for the binary
// form in the stored raw measurements.
func searchClickHouse(t *testing.T, f *fixture, forms []string) {
	ctx := context.Background()
	rows, err := f.conn.Query(ctx, "SELECT table, name, type FROM system.columns WHERE database = currentDatabase()")
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, name, typ string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	searched := 0
	for _, c := range cols {
		var cond string
		switch c.typ {
		case "String":
			cond = "position(lower(%s), ?) > 0"
		case "Array(String)":
			cond = "arrayExists(x -> position(lower(x), ?) > 0, %s)"
		default:
			continue
		}
		for _, form := range forms {
			var n uint64
			q := fmt.Sprintf("SELECT count() FROM %s WHERE "+cond, c.table, c.name)
			if err := f.conn.QueryRow(ctx, q, form).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if n > 0 {
				t.Errorf("%s.%s holds %s in %d rows", c.table, c.name, form, n)
			}
		}
		searched++
	}
	if searched < 40 {
		t.Fatalf("only %d text columns searched", searched)
	}
	raws, err := f.conn.Query(ctx, "SELECT raw FROM measurements")
	if err != nil {
		t.Fatal(err)
	}
	defer raws.Close()
	s := scrub.New(netip.MustParseAddr(probeAddr))
	for raws.Next() {
		var raw string
		raws.Scan(&raw)
		if leaks := s.Leaks([]byte(raw)); len(leaks) > 0 {
			t.Errorf("a stored measurement holds the address at %v", leaks)
		}
		m, err := measurement.Parse([]byte(raw))
		if err != nil || m.ProbeIP != measurement.ScrubbedIP {
			t.Errorf("stored probe_ip %q (%v)", m.ProbeIP, err)
		}
	}
}

// searchFiles looks for the forms in every file of the collector's data
// directory (spool segments, checkpoint, token hashes, report key).
func searchFiles(t *testing.T, dir string, forms []string) {
	n := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, form := range forms {
			if bytes.Contains(bytes.ToLower(b), []byte(form)) {
				t.Errorf("%s holds %s", path, form)
			}
		}
		n++
		return nil
	})
	if n < 3 {
		t.Fatalf("only %d files in the data directory", n)
	}
}
