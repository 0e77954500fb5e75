package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/targettest"
)

// TestServesControlHelper runs the binary with control_helper.serve: the
// helper answers at sonde's path and at "/" (where OONI's probes post),
// measures an allowed address, and refuses loopback when the allow-list
// does not name it.
func TestServesControlHelper(t *testing.T) {
	site := targettest.NewHTTPServer(t, targettest.Website("Control helper test page"))
	addr, db := chtest.Database(t)

	run := func(allow string) *proc {
		listen := freeAddr(t)
		extra := fmt.Sprintf("control_helper: {serve: true, allow_prefixes: [%s]}\n", allow)
		return startProc(t, writeConfig(t, t.TempDir(), listen, addr, db, extra), listen)
	}
	ask := func(p *proc, path string) measurement.ControlResponse {
		t.Helper()
		body, _ := json.Marshal(measurement.ControlRequest{
			HTTPRequest:        site.URL + "/",
			HTTPRequestHeaders: map[string][]string{"User-Agent": {"sonde-test"}},
			TCPConnect:         []string{site.Addr},
		})
		resp, err := http.Post(p.url+path, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		var cr measurement.ControlResponse
		if err := json.NewDecoder(resp.Body).Decode(&cr); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return cr
	}

	lab := run(`"127.0.0.0/8"`)
	for _, path := range []string{"/api/v1/control", "/"} {
		cr := ask(lab, path)
		if cr.HTTPRequest.StatusCode != 200 || cr.HTTPRequest.Title != "Control helper test page" {
			t.Errorf("%s: http_request %+v", path, cr.HTTPRequest)
		}
		if tc := cr.TCPConnect[site.Addr]; !tc.Status {
			t.Errorf("%s: tcp_connect %+v", path, cr.TCPConnect)
		}
	}
	lab.stop(t)

	public := run("")
	defer public.stop(t)
	cr := ask(public, "/api/v1/control")
	if cr.HTTPRequest.StatusCode == 200 || cr.TCPConnect[site.Addr].Status {
		t.Errorf("a public helper reached loopback: %+v %+v", cr.HTTPRequest, cr.TCPConnect)
	}
}
