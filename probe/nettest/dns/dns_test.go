package dns

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	miekg "github.com/miekg/dns"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest"
)

func TestMeasure(t *testing.T) {
	real := targettest.NewZone(t,
		"example.org. 300 IN A 93.184.215.14",
		"example.org. 300 IN HTTPS 1 . alpn=h2",
	)
	forged := targettest.NewZone(t, "example.org. 60 IN A 203.0.113.9")
	lie := targettest.NewZone(t, "example.org. 60 IN A 10.10.34.35")
	cases := []struct {
		name     string
		behave   targettest.DNSBehavior
		blocking measurement.Blocking
		failure  string
		late     bool
	}{
		{"honest", targettest.Answer(real), measurement.NotBlocked, "", false},
		{"injected", targettest.Inject(forged, real, 20*time.Millisecond), measurement.BlockedBy(measurement.BlockingDNS), "", true},
		{"bogon lie", targettest.Answer(lie), measurement.BlockedBy(measurement.BlockingDNS), "", false},
		{"nxdomain", targettest.Rcode(miekg.RcodeNameError), measurement.Blocking{}, failure.DNSNXDOMAIN, false},
		{"silent", targettest.Silent(), measurement.Blocking{}, failure.GenericTimeout, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := targettest.NewDNSServer(t, c.behave)
			env := &nettest.Env{Begin: time.Now(), StepTimeout: 500 * time.Millisecond,
				Options: map[string]string{"resolver": "udp://" + srv.Addr}}
			res, err := Measurer{}.Measure(context.Background(), env, "https://example.org/")
			if err != nil {
				t.Fatal(err)
			}
			tk := res.TestKeys.(*TestKeys)
			if res.Blocking != c.blocking || res.Failure != c.failure || tk.LateAnswersDiffer != c.late {
				t.Fatalf("blocking %+v failure %q late %v", res.Blocking, res.Failure, tk.LateAnswersDiffer)
			}
			if len(tk.Queries) != 3 {
				t.Fatalf("%d queries, want A, AAAA and HTTPS", len(tk.Queries))
			}
			raw, err := json.Marshal(res.TestKeys)
			if err != nil {
				t.Fatal(err)
			}
			steps, dropped := measurement.DecodeSteps(raw)
			if dropped != 0 || len(steps.Queries) != 3 || (c.late && len(steps.DNSLateReplies) != 3) { // one late answer per query type
				t.Fatalf("steps read back: %d queries, %d late, %d dropped", len(steps.Queries), len(steps.DNSLateReplies), dropped)
			}
		})
	}
}

func TestBadInputAndOptions(t *testing.T) {
	env := &nettest.Env{Begin: time.Now()}
	for _, input := range []string{"", "192.0.2.1", "example.org:53"} {
		if _, err := (Measurer{}).Measure(context.Background(), env, input); err == nil {
			t.Errorf("input %q accepted", input)
		}
	}
	for _, opts := range []map[string]string{
		{"resolverr": "udp://192.0.2.1:53"},
		{"types": "A,NOPE"},
		{"types": "HTTPS"}, // the system resolver cannot
		{"resolver": "carrier-pigeon://x"},
	} {
		env.Options = opts
		if _, err := (Measurer{}).Measure(context.Background(), env, "example.org"); err == nil {
			t.Errorf("options %v accepted", opts)
		}
	}
}

func TestIsBogon(t *testing.T) {
	for ip, want := range map[string]bool{
		"10.10.34.35": true, "127.0.0.1": true, "192.168.1.1": true, "100.64.0.1": true, "0.0.0.0": true,
		"::1": true, "fe80::1": true, "93.184.215.14": false, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": false,
	} {
		if isBogon(ip) != want {
			t.Errorf("isBogon(%s) != %v", ip, want)
		}
	}
}
