package analysis

// testRules maps each test_name to its rule: one map, written out here.
// A test that is not listed is analysed from its network steps when it has
// any, and otherwise gets an "unknown" verdict that says so.
//
// The rules for OONI's tests follow OONI's published scoring (the
// fastpath, ooni/backend fastpath/core.py), so that sonde's verdicts on
// OONI's data agree with OONI's; sonde adds the evidence and the
// explanation, and for web_connectivity its own comparison with the
// control (see web.go).
var testRules = map[string]func(*msmt){
	// sonde's own tests (and OONI's tests of the same shape).
	"web_connectivity": analyzeWebConnectivity,
	"dns":              analyzeSteps,
	"tcpconnect":       analyzeSteps,
	"tls":              analyzeSteps,
	"http":             analyzeSteps,
	"quic":             analyzeSteps,
	"urlgetter":        analyzeSteps,

	// Instant messaging.
	"whatsapp":           analyzeWhatsApp,
	"telegram":           analyzeTelegram,
	"signal":             analyzeSignal,
	"facebook_messenger": analyzeFacebookMessenger,

	// Circumvention tools.
	"tor":                        analyzeTor,
	"vanilla_tor":                analyzeVanillaTor,
	"torsf":                      analyzeTorSnowflake,
	"psiphon":                    analyzePsiphon,
	"riseupvpn":                  analyzeRiseupVPN,
	"openvpn":                    analyzeOpenVPN,
	"meek_fronted_requests_test": analyzeMeek,

	// Middleboxes.
	"http_header_field_manipulation": analyzeHeaderFieldManipulation,
	"http_invalid_request_line":      analyzeInvalidRequestLine,

	// Other and legacy tests.
	"http_requests":     analyzeHTTPRequests,
	"dns_consistency":   analyzeDNSConsistency,
	"tcp_connect":       analyzeLegacyTCPConnect,
	"stunreachability":  analyzeSTUNReachability,
	"stun_reachability": analyzeSTUNReachability,
	"dnscheck":          analyzeDNSCheck,
	"browser_web":       analyzeBrowserWeb,
	"dash":              analyzeDash,
	"ndt":               analyzeNDT,
}
