package wctest

import (
	"net"
	"testing"

	"github.com/sonde-project/sonde/internal/targettest"
	"github.com/sonde-project/sonde/probe/nettest"
)

// Scenario is one censorship case, written as data: the site, and what
// the censor in front of it does to the probe. The zero value is an HTTP
// site that works.
type Scenario struct {
	// Scheme is "http" or "https". OPTIONAL: "http".
	Scheme string
	// Censor is what the censor in front of the site does to the probe.
	// OPTIONAL: Pass.
	Censor CensorConfig
	// Host is the name measured. OPTIONAL: site.test (the only name
	// ResetSNI scenarios usually reset).
	Host string
	// LyingDNS sends the probe's resolver to LieAddr for every name.
	LyingDNS bool
	// LieAddr is the lying resolver's answer. OPTIONAL: HijackIP, where
	// the censor's server answers with its blockpage. Another address
	// gets no server: the probe's connections to it go where the machine
	// routes them and fail.
	LieAddr string
	// H3 serves HTTP/3 next to HTTPS; DropQUIC drops the probe's
	// datagrams.
	H3, DropQUIC bool
	// Down: nothing listens where the site should be, for the probe and
	// the helper alike.
	Down bool
}

// Names the scenarios' sites answer to.
var siteNames = []string{"site.test", "other.test"}

// Setup is a scenario ready to measure.
type Setup struct {
	*World
	// Env is the probe's environment; URL is what to measure.
	Env *nettest.Env
	URL string
}

// Skip reports why the scenario cannot run on this machine, or "".
func (sc Scenario) Skip() string {
	if (sc.Censor.Rule == Blackhole || sc.DropQUIC) && !CanBlackhole {
		return "the black-hole censor needs Linux socket filters"
	}
	return ""
}

// Build starts the scenario's world, site and censor; they stop at the
// end of the test.
func Build(t testing.TB, sc Scenario) *Setup {
	t.Helper()
	var zone []string
	for _, n := range siteNames {
		zone = append(zone, n+". 60 IN A "+SiteIP)
	}
	w := NewWorld(t, zone...)
	scheme := sc.Scheme
	if scheme == "" {
		scheme = "http"
	}
	var port string
	var upstream string
	switch {
	case sc.Down:
		port = ClosedPort(t, SiteIP)
	case scheme == "https":
		var h3port string
		if sc.H3 {
			h3port = w.H3Site("sonde test site", sc.DropQUIC, siteNames...)
		}
		upstream = w.HTTPSSite("sonde test site", h3port, siteNames...).Addr
	default:
		upstream = targettest.NewHTTPServer(t, targettest.Website("sonde test site")).Addr
	}
	if !sc.Down {
		c := NewCensor(t, SiteIP+":0", upstream, sc.Censor)
		_, port, _ = net.SplitHostPort(c.Addr)
	}
	probeDNS := w.RealDNS.Addr
	if sc.LyingDNS {
		lie := sc.LieAddr
		if lie == "" {
			lie = HijackIP
			NewCensor(t, net.JoinHostPort(HijackIP, port), "", CensorConfig{Rule: Hijack, Page: sc.Censor.Page})
		}
		var lies []string
		for _, n := range siteNames {
			lies = append(lies, n+". 60 IN A "+lie)
		}
		probeDNS = targettest.NewDNSServer(t, targettest.Answer(targettest.NewZone(t, lies...))).Addr
	}
	host := sc.Host
	if host == "" {
		host = siteNames[0]
	}
	return &Setup{World: w, Env: w.Env(probeDNS), URL: scheme + "://" + net.JoinHostPort(host, port) + "/"}
}
